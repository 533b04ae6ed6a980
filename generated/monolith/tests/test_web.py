import pytest

from shop.notifications import dispatch
from shop.web import app as web_app
from shop.web import create_app


@pytest.fixture
def client(seed):
    app = create_app({"INIT_DB": False, "TESTING": True})
    return app.test_client()


def auth_header(client, email="alice@example.com", password="wonder1and"):
    response = client.post("/accounts/login", json={"email": email, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_health_counts_requests(client):
    before = web_app.request_count()
    client.get("/health")
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert web_app.request_count() == before + 2 == body["requests"]


def test_catalog_listing_detail_and_404(client, seed):
    listing = client.get("/catalog/products?limit=2").get_json()
    assert [p["sku"] for p in listing["items"]] == ["WID-001", "GAD-001"]
    detail = client.get(f"/catalog/products/{seed.gadget}").get_json()
    assert detail["price"] == "25.00" and detail["available"] == 5
    missing = client.get("/catalog/products/999")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_search_and_categories(client):
    assert [p["sku"] for p in client.get("/catalog/search?q=gadget").get_json()["items"]] == ["GAD-001"]
    assert client.get("/catalog/categories").get_json()["categories"][0]["slug"] == "electronics"
    items = client.get("/catalog/categories/gadgets/products").get_json()["items"]
    assert [p["sku"] for p in items] == ["GAD-001"]
    assert client.get("/catalog/suggest?q=bl").get_json() == {"suggestions": ["Blue Widget"]}


def test_register_then_login_and_me(client):
    created = client.post("/accounts/register",
                          json={"email": "carol@example.com", "password": "carol1234", "full_name": "Carol"})
    assert created.status_code == 201
    assert [n.template for n in dispatch.pending()] == ["welcome"]
    headers = auth_header(client, "carol@example.com", "carol1234")
    added = client.post("/accounts/addresses", headers=headers,
                        json={"line1": "5 Elm", "city": "Austin", "postcode": "73301", "region": "TX"})
    assert added.status_code == 201 and added.get_json()["default"] is True
    me = client.get("/accounts/me", headers=headers).get_json()
    assert me["addresses"] == ["5 Elm, 73301 Austin, TX"]


def test_validation_errors_are_json(client):
    response = client.post("/accounts/register", json={"email": "x@example.com"})
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"] == "password,full_name"
    assert client.post("/accounts/login", data="nope").status_code == 400


def test_cart_requires_token(client):
    assert client.get("/cart").status_code == 401
    bad = client.get("/cart", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"] == "unauthorized"


def test_cart_endpoints(client, seed):
    headers = auth_header(client)
    added = client.post("/cart/items", headers=headers, json={"product_id": seed.widget, "quantity": 2})
    assert added.status_code == 201 and added.get_json()["subtotal"] == "20.00"
    changed = client.patch(f"/cart/items/{seed.widget}", headers=headers, json={"quantity": 3}).get_json()
    assert changed["subtotal"] == "30.00"
    too_many = client.post("/cart/items", headers=headers, json={"product_id": seed.gadget, "quantity": 6})
    assert too_many.status_code == 409
    removed = client.delete(f"/cart/items/{seed.widget}", headers=headers).get_json()
    assert removed["lines"] == []
    bad_coupon = client.post("/cart/coupon", headers=headers, json={"code": "NOPE"})
    assert bad_coupon.status_code == 200  # no items yet, coupon is validated when pricing
    client.post("/cart/items", headers=headers, json={"product_id": seed.widget})
    assert client.get("/cart", headers=headers).get_json()["error"] == "invalid_coupon"


def test_checkout_and_order_lookup(client, seed):
    headers = auth_header(client)
    client.post("/cart/items", headers=headers, json={"product_id": seed.widget, "quantity": 2})
    client.post("/cart/items", headers=headers, json={"product_id": seed.gadget, "quantity": 1})
    rates = client.get("/checkout/rates?region=CA", headers=headers).get_json()["rates"]
    assert [r["carrier"] for r in rates] == ["pickup", "standard", "express"]
    placed = client.post("/checkout", headers=headers,
                         json={"payment_method": "card", "payment_token": "4242424242424242"})
    assert placed.status_code == 201
    order = placed.get_json()
    assert order["total"] == "55.86" and order["status"] == "paid"
    assert client.get(f"/orders/{order['reference']}", headers=headers).get_json()["id"] == order["id"]
    assert [o["reference"] for o in client.get("/orders", headers=headers).get_json()["orders"]] == [
        order["reference"]]
    other = auth_header(client, "bob@example.com", "builder99")
    assert client.get(f"/orders/{order['reference']}", headers=other).status_code == 404
    cancelled = client.post(f"/orders/{order['reference']}/cancel", headers=headers).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["refunded"] == "55.86"


def test_declined_checkout_returns_402(client, seed):
    headers = auth_header(client)
    client.post("/cart/items", headers=headers, json={"product_id": seed.widget})
    declined = client.post("/checkout", headers=headers,
                           json={"payment_method": "card", "payment_token": "4000000000000002"})
    assert declined.status_code == 402
    assert declined.get_json()["error"] == "payment_declined"
    assert client.get("/orders", headers=headers).get_json()["orders"] == []


def test_unknown_route_is_json_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
