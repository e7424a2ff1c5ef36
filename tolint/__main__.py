from tolint.cli import main

raise SystemExit(main())
