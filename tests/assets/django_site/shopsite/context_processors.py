"""Template context shared by every page."""


def cart_summary(request):
    cart = request.session.get("cart", {})
    return {"cart_items": sum(cart.values())}
