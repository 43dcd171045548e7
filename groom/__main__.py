from groom.cli import run

run()
