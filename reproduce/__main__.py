from reproduce.cli import main

raise SystemExit(main())
