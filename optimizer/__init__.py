"""OneBell's planning core: from a compound's map and the day's parcel counts to routes per shift.

The flow runs site + day + operations (domain) -> RoutingProblem (index-based) -> OR-Tools
(`routing.py` for routing, `partition.py` for recombining routes: the only modules that import
it) -> Plan (plain data) -> JSON and route cards.
"""
