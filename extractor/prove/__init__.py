"""`mono2lambda prove`: the app's own tests, on the original source and on the strangled
monolith with every extracted service behind `serve`, compared (core.py is pure; run.py
runs the processes)."""
