#!/usr/bin/env python3
"""Synthesize the Todo chatbot of values files into plain Kubernetes YAML: ``main.py --help``.

Only argument parsing lives here; the work is done in values_app/ (values_app/runtime.py before
jsii starts, then values_app/cli.py), a client of the construct library webapp_constructs (constructs/webapp_constructs/).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from values_app.runtime import (  # nothing of jsii
    catch_interrupts,
    collect_new_objects_only,
    guarded,
    leave,
    pause_collection,
    use_local_node,
    use_own_scratch,
    use_usable_jsii_cache,
)

if __name__ == "__main__":  # run as a program (not imported, as by the tests)
    catch_interrupts()  # Ctrl-C from here on is one line and exit 130

# Some machines set PYTHONDONTWRITEBYTECODE: every run would compile the project's modules again.
sys.dont_write_bytecode = False

ROOT = Path(__file__).resolve().parent
DEFAULT_VALUES = "values/003-local-k8s-deployment.yaml"
ENVIRONMENTS = "environments.yaml"


EXAMPLES = """\
commands:
  synth (the default)  render values into one output directory
  diff                 compare what values render with an output directory (--environments: each
                       environment with its directory); writes nothing
  envs                 render every environment of environments.yaml into <outdir>/<name>/ (with a
                       gitops: block, the root of a deploy repository: docs/environments-and-gitops.md)

examples:
  make synth                                    # set up, then render the default preset into dist/
  .venv/bin/python main.py --values values/001-k8s-minikube-deploy.yaml --outdir out
  .venv/bin/python main.py --values values/003-local-k8s-deployment.yaml --values my-overrides.yaml
  .venv/bin/python main.py --values values/production.yaml --set-string services.backend.image.tag=$GIT_SHA \\
      --set services.backend.replicas=3 --outdir dist/production
  .venv/bin/python main.py envs                           # every environment into dist/<name>/
  .venv/bin/python main.py envs --env staging --env production --set-string services.backend.image.tag=$GIT_SHA
  .venv/bin/python main.py diff --values values/production.yaml --against dist/production
  .venv/bin/python main.py diff --environments --against dist      # each environment against dist/<name>/
  .venv/bin/python main.py --env-file .env.local            # Secret values from a dotenv file
  DATABASE_URL=... .venv/bin/python main.py --require-secrets --quiet   # a deploy pipeline
  .venv/bin/python main.py --list-presets
  .venv/bin/python main.py --values values/production.yaml --diagram > topology.mmd
  .venv/bin/python main.py --values values/production.yaml --format helm --chart-version 1.4.0 --outdir chart

Values files are layered: each --values file is merged over the ones before (mappings key by key,
lists and scalars replaced, null removes a key); a file may name its own base with `extends:`.
--set path=value (Helm's syntax and typing: dotted paths, [N] indexes, a=1,b=2; true, false, null
and integers without a leading zero are typed, anything else is a string; an integer where a string
belongs is its text) and --set-string (always a string) apply after every file; image.tag=TAG tags
the image of every service. Errors name the file and line, or the flag, that set a value. envs and
diff --environments load and render only the environments --env names; there a --set applies to the
environments that have its path (or to one: --set staging:PATH=VALUE).

Secret values come from environment variables named like their keys, or from --env-file files
(KEY=VALUE lines; repeatable, a later file wins; the environment wins over all). A Secret with a
value missing is not rendered; the summary prints the kubectl command that creates it, and how to
deploy with pruning.

Exit status: 0 success, 1 invalid input (nothing written), 2 bad usage (including an output
directory that holds files a synth did not write: nothing is ever deleted), 130 interrupted
(Ctrl-C; nothing is left half-written). diff: 0 no changes, 1 changes, 2 cannot compare.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize the Todo chatbot of values files into plain Kubernetes YAML.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", choices=["synth", "diff", "envs"], default="synth", help="default: synth")
    parser.add_argument(
        "--values",
        action="append",
        metavar="FILE",
        help=f"a values file; repeat to layer files, later ones merged over earlier ones (default: {DEFAULT_VALUES})",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=lambda text: (text, False),
        metavar="PATH=VALUE",
        dest="settings",
        help="set a value after every file, e.g. services.backend.replicas=3 (typed as Helm types it: true, false, "
        "null (removes) and integers; anything else a string); image.tag=TAG tags every service's image; envs and diff "
        "--environments: where the path exists, or ENV:PATH=VALUE for one environment",
    )
    parser.add_argument(
        "--set-string",
        action="append",
        type=lambda text: (text, True),
        metavar="PATH=VALUE",
        dest="settings",
        help="as --set; the value stays a string (both apply in the order given)",
    )
    parser.add_argument(
        "--outdir",
        default=os.environ.get("CDK8S_OUTDIR") or "dist",
        metavar="DIR",
        help="directory to write the manifests to (envs: one subdirectory per environment): a new or empty one, or a "
        "previous synth's output, which is replaced as a whole, only on success; anything else is refused "
        "(default: $CDK8S_OUTDIR or dist)",
    )
    parser.add_argument("--against", metavar="DIR", help="diff: the output directory to compare with (default: --outdir)")
    parser.add_argument(
        "--environments",
        nargs="?",
        const=ENVIRONMENTS,
        metavar="FILE",
        help=f"envs: the environments file (default: {ENVIRONMENTS}); diff: compare each environment of it (FILE "
        f"optional, default {ENVIRONMENTS}) with its directory under --against",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME",
        help="envs: render only this environment; diff --environments: compare only this one (repeatable)",
    )
    parser.add_argument(
        "--env-file",
        action="append",
        default=[],
        metavar="FILE",
        help="dotenv file with Secret values, KEY=VALUE lines; repeat to layer files, later ones win (the environment "
        "wins over all of them)",
    )
    parser.add_argument(
        "--require-secrets",
        action="store_true",
        help="fail (exit 1, nothing written) when a Secret value is missing, instead of skipping that Secret",
    )
    parser.add_argument(
        "--format",
        choices=["plain", "helm"],
        default="plain",
        help="plain: manifests (default); helm: a Helm chart of them in --outdir (no Secrets, every {{ escaped)",
    )
    parser.add_argument("--chart-version", metavar="SEMVER", help="--format helm: the chart's version, e.g. 1.4.0 (required)")
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
    args = parser.parse_args(argv)
    if args.command == "synth" and (args.env or args.environments is not None):
        parser.error("--env and --environments belong to the envs and diff commands")
    if args.command == "diff" and args.environments is None and args.env:
        parser.error("diff --env NAME compares environments: give --environments [FILE] too")
    if args.command == "diff" and args.environments is not None and args.values:
        parser.error("diff --environments takes the values files from the environments file; drop --values")
    if args.command != "diff" and args.against:
        parser.error("--against belongs to the diff command")
    if args.command == "envs" and args.values:
        parser.error("envs takes its values files from the environments file; --values belongs to synth and diff")
    if args.format == "helm":
        from values_app.helm_scaffold import is_semver

        if args.command != "synth":
            parser.error("--format helm belongs to synth")
        if not args.chart_version:
            parser.error("--format helm needs --chart-version (a semantic version such as 1.4.0)")
        if not is_semver(args.chart_version):
            parser.error(f"--chart-version {args.chart_version!r} is not a semantic version (such as 1.4.0 or 2.0.0-rc.1)")
        if args.require_secrets:
            parser.error("--require-secrets: a Helm chart never holds Secret values")
    elif args.chart_version:
        parser.error("--chart-version belongs to --format helm")
    return args


def main(argv: list[str] | None = None, *, plain_type_checks: bool = False) -> int:
    """Run the values app on ``argv``; with ``plain_type_checks`` (the program opts in), jsii's plain
    type checks are answered before typeguard (:mod:`values_app.jsii_type_checks`, on the jsii it
    was written for only)."""
    args = parse_args(argv)
    use_local_node(ROOT)
    use_usable_jsii_cache()
    return guarded(lambda: _dispatch(args, plain_type_checks=plain_type_checks))


def _dispatch(args: argparse.Namespace, *, plain_type_checks: bool = False) -> int:
    from values_app.outdir import check_output  # imports nothing of jsii

    if args.check_outdir:  # `npx cdk8s` asks before each deletion: answered without starting jsii
        return check_output(Path(args.outdir), project_root=ROOT)
    if args.command == "synth" and not (args.list_presets or args.diagram):
        status = check_output(Path(args.outdir), project_root=ROOT)  # a refusal needs no jsii either
        if status:
            return status
    if plain_type_checks:
        from values_app.jsii_type_checks import install

        install()
    from values_app import cli
    from values_app.settings import Setting

    collect_new_objects_only()

    default = Path(DEFAULT_VALUES) if Path(DEFAULT_VALUES).exists() else ROOT / DEFAULT_VALUES  # from anywhere
    values = [Path(v) for v in args.values] if args.values else [default]
    settings = [Setting(text, string=string) for text, string in args.settings]
    env_file = [Path(file) for file in args.env_file]
    outdir = Path(args.outdir)
    if args.list_presets:
        return cli.list_presets(ROOT / "values")
    if args.diagram:
        return cli.diagram(values=values, settings=settings)
    if args.command == "diff" and args.environments is not None:
        return cli.diff_environments(
            file=Path(args.environments),
            against=Path(args.against or outdir),
            names=args.env,
            settings=settings,
            env_file=env_file,
        )
    if args.command == "diff":
        return cli.diff(values=values, settings=settings, against=Path(args.against or outdir), env_file=env_file)
    if args.command == "envs":
        return cli.environments(
            file=Path(args.environments or ENVIRONMENTS),
            outdir=outdir,
            names=args.env,
            settings=settings,
            env_file=env_file,
            require_secrets=args.require_secrets,
            quiet=args.quiet,
        )
    if args.format == "helm":
        return cli.helm_chart(values=values, settings=settings, outdir=outdir, version=args.chart_version, quiet=args.quiet)
    return cli.run(
        values=values,
        settings=settings,
        outdir=outdir,
        env_file=env_file,
        require_secrets=args.require_secrets,
        quiet=args.quiet,
    )


if __name__ == "__main__":
    pause_collection()  # while the modules load: see collect_new_objects_only()
    use_own_scratch()  # jsii's unpacked runtime goes with the run: see leave()
    leave(main(plain_type_checks=True))  # at once: see leave()
