"""`python -m accord`: the `accord` command, for when the console script is not on PATH."""

from accord.cli import main

if __name__ == "__main__":
    main(prog_name="accord")
