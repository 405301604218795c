"""The portal's URLs plus /bench/nudo/: the least a Django view can do, through the same
middleware (its policy entry is added here, for this deployment only) and the same
workers. The baseline of the counters page."""

from django.http import HttpResponse
from django.urls import path

from enti import policy
from network.urls import urlpatterns as portale

policy.URL_POLICY["bench_nudo"] = policy.TUTTI


def nudo(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/nudo/", nudo, name="bench_nudo"), *portale]
