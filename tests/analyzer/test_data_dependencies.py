"""Reads and writes of module state, ORM tables and raw SQL: exact edges, present and absent."""

from __future__ import annotations

from .snippets import edges, graph_of


def test_module_state_writes_and_reads() -> None:
    graph = graph_of({
        "cache.py": """
            _CACHE: dict = {}
            _SEEN = []
            _count = 0
            LIMIT = 10
            def put(k, v):
                _CACHE[k] = v
            def forget(k):
                _CACHE.pop(k, None)
            def reset():
                _CACHE.clear()
            def remember(x):
                _SEEN.append(x)
            def bump():
                global _count
                _count += 1
            def get(k):
                return _CACHE.get(k)
            def size():
                return len(_SEEN) + LIMIT
            def local_only():
                _CACHE = {}
                _CACHE["x"] = 1
        """,
        "user.py": """
            from cache import _CACHE
            import cache
            def drop():
                cache._SEEN.append(1)
                del _CACHE["k"]
            def peek():
                return cache._count
        """,
    })
    writes = edges(graph, "writes")
    reads = edges(graph, "reads")
    assert {("cache.put", "cache._CACHE"), ("cache.forget", "cache._CACHE"), ("cache.reset", "cache._CACHE"),
            ("cache.remember", "cache._SEEN"), ("cache.bump", "cache._count"),
            ("user.drop", "cache._SEEN"), ("user.drop", "cache._CACHE")} <= writes
    assert {("cache.get", "cache._CACHE"), ("cache.size", "cache._SEEN"), ("user.peek", "cache._count")} <= reads
    assert ("cache.local_only", "cache._CACHE") not in writes | reads  # a local shadows the global
    assert graph.node("cache._count")["state"] is True  # rebound with `global`
    assert graph.node("cache.LIMIT")["state"] is False  # a constant is not state
    assert not any(t == "cache.LIMIT" for _, t in reads)


SQLALCHEMY_MODELS = """
    from sqlalchemy import Table, Column, ForeignKey, Integer, select, update, delete, insert, text
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, Session

    class Base(DeclarativeBase):
        pass

    product_categories = Table("product_categories", Base.metadata, Column("product_id", Integer))

    class Product(Base):
        __tablename__ = "products"
        id: Mapped[int] = mapped_column(primary_key=True)
        price: Mapped[int]

    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
        status: Mapped[str]
        lines: Mapped[list["OrderLine"]] = relationship()

    class OrderLine(Base):
        __tablename__ = "order_lines"
        id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_sqlalchemy_session_and_statements() -> None:
    graph = graph_of({
        "models.py": SQLALCHEMY_MODELS,
        "svc.py": """
            from sqlalchemy import select, update, delete, insert
            from sqlalchemy.orm import Session
            from models import Order, OrderLine, Product, product_categories

            def place(session: Session, product_id: int) -> Order:
                product = session.get(Product, product_id)
                order = Order(status="new")
                session.add(order)
                session.add_all([OrderLine()])
                session.execute(update(Product).where(Product.id == product_id).values(price=1))
                return order

            def listing(session: Session):
                return session.scalars(select(Product).join(Order)).all()

            def purge(session: Session):
                session.execute(delete(OrderLine))
                session.execute(product_categories.insert())
                session.query(Order).filter(Order.status == "old").delete()

            def mark_paid(order: Order):
                order.status = "paid"

            def status_of(order: Order) -> str:
                return order.status
        """,
    })
    writes, reads = edges(graph, "writes"), edges(graph, "reads")
    assert {("svc.place", "table:orders"), ("svc.place", "table:order_lines"),
            ("svc.place", "table:products"), ("svc.purge", "table:order_lines"),
            ("svc.purge", "table:product_categories"), ("svc.purge", "table:orders"),
            ("svc.mark_paid", "table:orders")} <= writes
    assert {("svc.place", "table:products"), ("svc.listing", "table:products"),
            ("svc.status_of", "table:orders")} <= reads
    assert ("svc.listing", "table:orders") not in writes
    assert ("svc.status_of", "table:orders") not in writes
    assert {("models.Product", "table:products"), ("models.Order", "table:orders")} <= edges(graph, "maps_to")
    assert graph.node("table:product_categories")["kind"] == "table"


def test_flask_sqlalchemy_model_query() -> None:
    graph = graph_of({
        "app.py": """
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()
            class Customer(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            def find(email):
                return Customer.query.filter_by(email=email).first()
            def wipe():
                Customer.query.filter_by(active=False).delete()
        """,
    })
    assert ("app.find", "table:customer") in edges(graph, "reads")
    assert ("app.wipe", "table:customer") in edges(graph, "writes")


def test_django_models_and_managers() -> None:
    graph = graph_of({
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models
            class Invoice(models.Model):
                number = models.CharField(max_length=10)
                class Meta:
                    db_table = "billing_invoice"
            class Refund(models.Model):
                amount = models.IntegerField()
        """,
        "shop/views.py": """
            from .models import Invoice, Refund
            def show(n):
                return Invoice.objects.filter(number=n).first()
            def issue(n):
                invoice = Invoice(number=n)
                invoice.save()
                Refund.objects.create(amount=1)
            def cancel_all():
                Invoice.objects.filter(number="x").update(number="y")
        """,
    })
    writes, reads = edges(graph, "writes"), edges(graph, "reads")
    assert ("shop.views.show", "table:billing_invoice") in reads
    assert {("shop.views.issue", "table:billing_invoice"), ("shop.views.issue", "table:shop_refund"),
            ("shop.views.cancel_all", "table:billing_invoice")} <= writes
    assert ("shop.views.show", "table:billing_invoice") not in writes


def test_raw_sql_in_strings() -> None:
    graph = graph_of({"report.py": """
        from sqlalchemy import text
        SALES = "SELECT o.id, SUM(l.qty) FROM orders o JOIN order_lines l ON l.order_id = o.id"
        def sales(session):
            return session.execute(text(SALES)).all()
        def archive(conn):
            conn.execute("INSERT INTO archive (id) SELECT id FROM orders")
            conn.execute(text("UPDATE stock_levels SET qty = qty - 1 WHERE id = :id"), {"id": 1})
            conn.execute("DELETE FROM sessions WHERE expired = 1")
        def message():
            print("select a product from the list")
    """})
    writes, reads = edges(graph, "writes"), edges(graph, "reads")
    assert {("report.sales", "table:orders"), ("report.sales", "table:order_lines"),
            ("report.archive", "table:orders")} <= reads
    assert {("report.archive", "table:archive"), ("report.archive", "table:stock_levels"),
            ("report.archive", "table:sessions")} <= writes
    assert ("report.archive", "table:sessions") not in reads
    assert not any(s == "report.message" for s, _ in reads | writes)


def test_django_related_managers() -> None:
    graph = graph_of({
        "crm/__init__.py": "",
        "crm/models.py": """
            from django.db import models
            class Customer(models.Model):
                name = models.CharField(max_length=10)
            class Order(models.Model):
                customer = models.ForeignKey(Customer, related_name="orders", on_delete=models.CASCADE)
            class Note(models.Model):
                customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
        """,
        "crm/views.py": """
            from .models import Customer
            def history(customer: Customer):
                return list(customer.orders.all())
            def add_note(customer: Customer, text):
                customer.note_set.create(text=text)
            def rename(customer: Customer):
                customer.name = "x"
        """,
    })
    writes, reads = edges(graph, "writes"), edges(graph, "reads")
    assert ("crm.views.history", "table:crm_order") in reads
    assert ("crm.views.add_note", "table:crm_note") in writes
    assert ("crm.views.history", "table:crm_order") not in writes
    assert ("crm.views.rename", "table:crm_customer") in writes
    assert not any(t == "table:crm_order" for s, t in writes if s == "crm.views.rename")


def test_class_attributes_holding_shared_state() -> None:
    graph = graph_of({"reg.py": """
        class Registry:
            handlers = {}
            names = ("a", "b")
            count = 0
            def __init__(self):
                self.local = []
            def add(self, key, fn):
                self.handlers[key] = fn
                self.local.append(fn)
            @classmethod
            def forget(cls, key):
                cls.handlers.pop(key)
            def get(self, key):
                return self.handlers.get(key)
        class Own:
            handlers = []
            def __init__(self):
                self.handlers = []
            def add(self, fn):
                self.handlers.append(fn)
        def register(key, fn):
            Registry.handlers[key] = fn
        def bump():
            Registry.count = Registry.count + 1
    """})
    writes, reads = edges(graph, "writes"), edges(graph, "reads")
    assert {("reg.Registry.add", "reg.Registry.handlers"), ("reg.Registry.forget", "reg.Registry.handlers"),
            ("reg.register", "reg.Registry.handlers")} <= writes
    assert ("reg.Registry.get", "reg.Registry.handlers") in reads
    assert ("reg.bump", "reg.Registry.count") in writes and ("reg.bump", "reg.Registry.count") in reads
    assert graph.node("reg.Registry.handlers")["state"] is True
    assert graph.node("reg.Registry.count")["state"] is True  # rebound by a function
    assert "reg.Registry.names" not in graph  # a tuple is not state
    assert not any(t == "reg.Own.handlers" for _, t in writes)  # instances set their own


PER_PROCESS = {
    "db.py": """
        import boto3
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker
        _engine = None
        _factory = None
        _queue = None
        _cache = None
        S3 = None
        def init_db(url):
            global _engine, _factory
            _engine = create_engine(url)
            _factory = sessionmaker(bind=_engine)
        def close():
            global _engine
            _engine = None
        def session():
            return _factory()
        def remember(value):
            global _cache
            _cache = create_engine(value)
            _cache = value
    """,
    "app.py": """
        import boto3
        import db
        def setup():
            db.S3 = boto3.client("s3")
            db._queue = []
        def engine():
            return db._engine
    """,
}


def test_engines_session_factories_and_clients_are_per_process_configuration() -> None:
    graph = graph_of(PER_PROCESS)
    for variable, factory in (("db._engine", "sqlalchemy.create_engine"),
                              ("db._factory", "sqlalchemy.orm.sessionmaker"), ("db.S3", "boto3.client")):
        assert graph.node(variable)["state"] is False, variable  # each process builds its own
        assert graph.node(variable)["resource"] == factory
    assert ("db.init_db", "db._engine") in edges(graph, "writes")  # still written and read, as the code says
    assert ("app.engine", "db._engine") in edges(graph, "reads")
    for variable in ("db._queue", "db._cache"):  # a list; an engine, but also any value: state
        assert graph.node(variable)["state"] is True and "resource" not in graph.node(variable), variable


def test_a_registry_its_own_module_fills_at_import_is_the_same_in_every_process() -> None:
    graph = graph_of({
        "plugins.py": """
            KINDS = {}
            HOOKS = {}
            SEEN = []
            LATE = {}
            def kind(name):
                def register(cls):
                    KINDS[name] = cls
                    return cls
                return register
            def hook(fn):
                HOOKS[fn.__name__] = fn
                return fn
            def _fill():
                SEEN.append(1)
            def late(name, value):
                LATE[name] = value
            @kind("a")
            class A:
                pass
            @hook
            def on_start():
                pass
            _fill()
            late("x", 1)
            def lookup(name):
                return KINDS[name]
        """,
        "other.py": """
            import plugins
            @plugins.hook
            def on_stop():
                pass
            def run():
                plugins.late("y", 2)
        """,
    })
    assert graph.node("plugins.KINDS")["state"] is False and graph.node("plugins.KINDS")["filled_at_import"]
    assert graph.node("plugins.SEEN")["state"] is False  # a private helper the module calls at import
    assert ("plugins.lookup", "plugins.KINDS") in edges(graph, "reads")
    for variable in ("plugins.HOOKS", "plugins.LATE"):  # another module fills it too; a run-time writer
        assert graph.node(variable)["state"] is True and "filled_at_import" not in graph.node(variable), variable
