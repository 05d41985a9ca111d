"""The pure model of runplane: graphs, run logs, parameters, status rules and errors."""
