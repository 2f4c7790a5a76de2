"""What the office test scripts share: openpyxl, installed with pip when it is missing (CI must not
depend on what was installed by hand)."""
import subprocess, sys


def ensure_openpyxl():
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        print("openpyxl missing: installing it with pip", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "openpyxl"], check=True)
