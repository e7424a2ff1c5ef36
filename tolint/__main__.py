from tolint.cli import entry

entry()
