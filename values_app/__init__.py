"""The values app: render the Todo chatbot of a values file with the construct library.

A client of the constructs' public API (:mod:`webapp_constructs`): the model of a values file
(:mod:`.model`), its loader and checks, the release that builds the charts with the same calls a
user makes in a chart of their own (:mod:`.release`), and around them the synth, the diff, the
environments, the diagram, the JSON Schema and the command line (:mod:`.cli`, what ``main.py``
runs).
"""
