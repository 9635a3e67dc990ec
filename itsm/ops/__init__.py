"""What an operator of several machines needs: probes (``/healthz``,
``/readyz``), Prometheus metrics, request ids in JSON logs and the leader
lock for the work that must run once in the fleet. Part of the core: it
imports no higher app (figures of those apps arrive through
``itsm.common.figures``)."""
