"""The public face of the network: home page, counters and their history, news, the network's
and nodes' pages, the catalogue of open places, open data, and the cache of public pages."""
