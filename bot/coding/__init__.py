"""How a payment arrives coded and checked: its merchant (payees), earlier payments' coding (suggestions), the
order of precedence (arrival), and the same payment arriving twice (duplicates)."""
