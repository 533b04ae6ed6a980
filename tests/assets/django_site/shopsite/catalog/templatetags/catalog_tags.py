from django import template

register = template.Library()


@register.filter
def price(value):
    return f"{value:.2f} EUR"


@register.simple_tag(takes_context=True)
def cart_count(context):
    return context.get("cart_items", 0)
