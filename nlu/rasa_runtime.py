"""The Rasa server's environment: a Python 3.10 virtualenv with rasa==3.6.21, trained models, the server.

Everything lives in a cache outside the checkout (``$LINLI_CACHE`` or ``~/.cache/linli``) so CI on the
same machine reuses it: ``rasa-venv-<hash of requirements>`` and ``rasa-models/<hash of data+config>``.
A fresh machine builds both from the project's files alone. Standard library only: it runs on the
project's Python 3.11 and drives the 3.10 one in subprocesses.

    python -m nlu.rasa_runtime setup    # build the venv and train the model when missing
    python -m nlu.rasa_runtime serve    # rasa run --enable-api on 127.0.0.1:5005
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NLU_DIR = Path(__file__).resolve().parent
RASA_DIR = NLU_DIR / "rasa"
REQUIREMENTS = RASA_DIR / "requirements.txt"
CONSTRAINTS = RASA_DIR / "constraints.txt"
CONFIG = NLU_DIR / "config.yml"
DOMAIN = RASA_DIR / "domain.yml"
DATA = NLU_DIR / "data" / "nlu.yml"
COMPLETE_MARKER = ".linli-complete"


def cache_root() -> Path:
    return Path(os.environ.get("LINLI_CACHE") or Path.home() / ".cache" / "linli")


def find_python310() -> str | None:
    """A Python 3.10 interpreter: $LINLI_PYTHON310, python3.10 on PATH, or one installed by pyenv."""
    candidates = [os.environ.get("LINLI_PYTHON310"), shutil.which("python3.10")]
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.10.*/bin/python3.10"), reverse=True)
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        try:
            out = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if out.stdout.strip() == "True":
            return candidate
    return None


def _hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:12]


def venv_hash() -> str:
    return _hash(b"py3.10", REQUIREMENTS.read_bytes(), CONSTRAINTS.read_bytes())


def venv_dir() -> Path:
    return cache_root() / f"rasa-venv-{venv_hash()}"


def venv_ready() -> bool:
    return (venv_dir() / COMPLETE_MARKER).exists()


def model_hash(data_path: Path = DATA) -> str:
    return _hash(Path(data_path).read_bytes(), CONFIG.read_bytes(), DOMAIN.read_bytes(), venv_hash().encode())


def model_path(data_path: Path = DATA) -> Path:
    return cache_root() / "rasa-models" / f"{model_hash(data_path)}.tar.gz"


def ensure_venv(python310: str | None = None) -> Path:
    """Build the Rasa virtualenv once per requirements hash; a half-built one is removed and rebuilt."""
    target = venv_dir()
    if venv_ready():
        return target
    python310 = python310 or find_python310()
    if python310 is None:
        raise RuntimeError("找不到 Python 3.10：Rasa 3.6 只支持 Python 3.10 及更早版本（可设置 LINLI_PYTHON310）")
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"rasa: building {target} (rasa==3.6.21 with TensorFlow, about 2.7 GB)", flush=True)
    try:
        subprocess.run([python310, "-m", "venv", str(target)], check=True)
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(pip + ["--upgrade", "pip<24.1", "-c", str(CONSTRAINTS), "setuptools", "wheel"], check=True)
        subprocess.run(pip + ["-r", str(REQUIREMENTS), "-c", str(CONSTRAINTS)], check=True)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    (target / COMPLETE_MARKER).write_text(f"{time.time() - started:.0f}\n")
    print(f"rasa: venv ready in {time.monotonic() - started:.0f} s", flush=True)
    return target


def _rasa_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            # Rasa caches trained components by file path, so a changed Jieba dictionary or data file
            # could be served stale: train without its cache.
            "RASA_MAX_CACHE_SIZE": "0",
            "RASA_CACHE_DIRECTORY": str(workdir / ".rasa" / "cache"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": "ignore",
        }
    )
    return env


def train(data_path: Path, output: Path, *, quiet: bool = True) -> Path:
    """`rasa train nlu` with nlu/config.yml on one data file, written to `output` (a .tar.gz)."""
    rasa = venv_dir() / "bin" / "rasa"
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="linli-rasa-train-") as tmp:
        workdir = Path(tmp)
        cmd = [str(rasa), "train", "nlu", "--config", str(CONFIG), "--domain", str(DOMAIN), "--nlu", str(data_path),
               "--out", str(workdir / "models"), "--fixed-model-name", "model", "--num-threads", "2"]
        if quiet:
            cmd.append("--quiet")
        result = subprocess.run(cmd, cwd=workdir, env=_rasa_env(workdir), capture_output=quiet, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"rasa train nlu failed ({result.returncode}): {(result.stderr or '')[-2000:]}")
        produced = workdir / "models" / "model.tar.gz"
        tmp_out = output.with_suffix(".tmp")
        shutil.copyfile(produced, tmp_out)
        os.replace(tmp_out, output)
    return output


def ensure_model(data_path: Path = DATA) -> Path:
    target = model_path(data_path)
    if target.exists():
        return target
    started = time.monotonic()
    print(f"rasa: training {target.name} from {data_path}", flush=True)
    train(Path(data_path), target)
    print(f"rasa: trained in {time.monotonic() - started:.0f} s", flush=True)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RasaServer:
    """A running `rasa run --enable-api`; stop() ends it by its own PID."""

    process: subprocess.Popen
    url: str
    log_path: Path

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Poll /status until a model is loaded; raises when the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rasa exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/status", timeout=2) as response:
                    if json.load(response).get("model_file"):
                        self.parse("你好", timeout=max(5.0, deadline - time.monotonic()))  # the first parse warms up TensorFlow (~2 s)
                        return
            except (OSError, ValueError):
                pass
            time.sleep(1.0)
        raise TimeoutError(f"rasa not ready after {timeout:.0f} s; see {self.log_path}")

    def parse(self, text: str, timeout: float = 30.0) -> dict:
        request = urllib.request.Request(f"{self.url}/model/parse", data=json.dumps({"text": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def replace_model(self, model: Path, timeout: float = 300.0) -> None:
        """Load another model into the running server (PUT /model)."""
        request = urllib.request.Request(f"{self.url}/model", data=json.dumps({"model_file": str(model)}).encode(),
                                         method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout):
            pass

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(model: Path, port: int = 5005, log_path: Path | None = None) -> RasaServer:
    """Start `rasa run --enable-api` on 127.0.0.1:port with the given model (not waiting for it)."""
    rasa = venv_dir() / "bin" / "rasa"
    workdir = Path(tempfile.mkdtemp(prefix="linli-rasa-run-"))
    log_path = log_path or workdir / "rasa.log"
    cmd = [str(rasa), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "-m", str(model), "--quiet"]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(cmd, cwd=workdir, env=_rasa_env(workdir), stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    return RasaServer(process, f"http://127.0.0.1:{port}", log_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu.rasa_runtime", description="Linli 的 Rasa 环境：构建、训练、启动")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="build the Python 3.10 venv and train the model when missing")
    sub.add_parser("paths", help="print the venv and model paths")
    sub.add_parser("available", help="exit 0 when Rasa can run here (a Python 3.10 or a built venv)")
    serve = sub.add_parser("serve", help="rasa run --enable-api on 127.0.0.1")
    serve.add_argument("--port", type=int, default=5005)
    args = parser.parse_args(argv)
    if args.command == "paths":
        print(json.dumps({"python310": find_python310(), "venv": str(venv_dir()), "venv_ready": venv_ready(),
                          "model": str(model_path()), "model_ready": model_path().exists()}, ensure_ascii=False))
        return 0
    if args.command == "available":
        return 0 if venv_ready() or find_python310() else 1
    if args.command == "setup":
        started = time.monotonic()
        ensure_venv()
        model = ensure_model()
        print(f"rasa: model {model} ({time.monotonic() - started:.0f} s)")
        return 0
    if args.command == "serve":
        ensure_venv()
        server = start_server(ensure_model(), args.port, log_path=Path(tempfile.gettempdir()) / "linli-rasa.log")
        print(f"rasa: starting on {server.url} (pid {server.process.pid}, log {server.log_path})", flush=True)
        try:
            server.wait_ready()
            print("rasa: ready", flush=True)
            server.process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        return server.process.returncode or 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
