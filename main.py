#!/usr/bin/env python3
"""Synthesize the app of a values file into plain Kubernetes YAML: ``main.py --help``.

Only argument parsing lives here; the work is done in values_app/ (values_app/cli.py first), a client
of the construct library in constructs/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_VALUES = "values/003-local-k8s-deployment.yaml"


def use_local_node() -> None:
    """Run jsii on the project's Node.js 22 (from package.json) unless JSII_NODE says otherwise.

    Must run before the first import of cdk8s or constructs: that import starts the node process.
    """
    local = ROOT / "node_modules" / ".bin" / "node"
    if "JSII_NODE" not in os.environ and local.exists():
        os.environ["JSII_NODE"] = str(local)


EXAMPLES = """\
examples:
  make synth                                    # set up, then render the default preset into dist/
  .venv/bin/python main.py --values values/001-k8s-minikube-deploy.yaml --outdir out
  .venv/bin/python main.py --env-file .env.local            # Secret values from a dotenv file
  DATABASE_URL=... .venv/bin/python main.py --require-secrets --quiet   # a deploy pipeline
  .venv/bin/python main.py --list-presets
  .venv/bin/python main.py --values values/production.yaml --diagram > topology.mmd

Secret values come from environment variables named like their keys, or from --env-file (the
environment wins). A Secret with a value missing is not rendered; the summary prints the kubectl
command that creates it. Exit status: 0 success, 1 invalid input (nothing written), 2 bad usage
(including an output directory that holds files a synth did not write: nothing is ever deleted).
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize the Todo chatbot of a values file into plain Kubernetes YAML.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--values", default=DEFAULT_VALUES, metavar="FILE", help=f"values file to render (default: {DEFAULT_VALUES})"
    )
    parser.add_argument(
        "--outdir",
        default=os.environ.get("CDK8S_OUTDIR") or "dist",
        metavar="DIR",
        help="directory to write the manifests to: a new or empty one, or a previous synth's output, which is replaced "
        "as a whole, only on success; anything else is refused (default: $CDK8S_OUTDIR or dist)",
    )
    parser.add_argument("--env-file", metavar="FILE", help="dotenv file with Secret values (the environment wins over it)")
    parser.add_argument(
        "--require-secrets",
        action="store_true",
        help="fail (exit 1, nothing written) when a Secret value is missing, instead of skipping that Secret",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list-presets", action="store_true", help="list the presets in values/ with a line on each, then exit")
    action.add_argument(
        "--diagram", action="store_true", help="print a Mermaid graph of the app of --values (nothing written), then exit"
    )
    action.add_argument(
        "--check-outdir",
        action="store_true",
        help="only check that --outdir may be replaced (exit 0) or not (exit 2); `npx cdk8s synth` asks this first",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    use_local_node()
    from values_app import cli

    if args.list_presets:
        return cli.list_presets(ROOT / "values")
    if args.diagram:
        return cli.diagram(values=Path(args.values))
    if args.check_outdir:
        return cli.check_output(Path(args.outdir))
    return cli.run(
        values=Path(args.values),
        outdir=Path(args.outdir),
        env_file=Path(args.env_file) if args.env_file else None,
        require_secrets=args.require_secrets,
        quiet=args.quiet,
    )


if __name__ == "__main__":
    sys.exit(main())
