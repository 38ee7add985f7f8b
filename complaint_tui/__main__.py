from complaint_tui.cli import main

main()
