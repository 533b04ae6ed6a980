"""Formatting helpers without type hints: the views call them with literals."""


def format_amount(amount, currency, places=2):
    return f"{amount:.{places}f} {currency}"


def shout(words, times):
    return " ".join([words.upper()] * times)
