"""[dataflow] The data map as code: systems, stores, flows, third parties and roles, checked.

A native YAML data map (:mod:`.native`) or a model imported from a threat-modelling tool
(:mod:`.importers`) becomes one normalised :class:`.model.DataMap`, which the collector turns
into a ``dataflow.map`` evidence item listing also what the map lacks for the DPP.
"""
