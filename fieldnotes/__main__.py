from fieldnotes.cli.main import main

raise SystemExit(main())
