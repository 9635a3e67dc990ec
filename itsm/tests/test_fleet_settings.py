"""The fleet's settings: which store keeps the files, who may read the
metrics; a wrong value stops the start."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

from itsm import settings_parts as parts
from itsm.storage import PrivateStorage, private_storage


def test_files_are_kept_in_the_private_folder_by_default():
    assert isinstance(private_storage(), PrivateStorage)
    assert private_storage() is storages["private"]


def test_s3_selects_django_storages_with_private_objects():
    stores = parts.storages(
        "s3",
        bucket="desk-files",
        endpoint_url="https://s3.example.org",
        region="",
        access_key="key",
        secret_key="secret",
    )
    private = stores["private"]
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["OPTIONS"]["bucket_name"] == "desk-files"
    assert private["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert private["OPTIONS"]["region_name"] is None
    assert private["OPTIONS"]["default_acl"] == "private"


@pytest.mark.parametrize(
    "backend, bucket", [("s3", ""), ("ftp", "desk-files")], ids=["no bucket", "unknown"]
)
def test_a_store_that_cannot_work_stops_the_start(backend, bucket):
    with pytest.raises(ImproperlyConfigured):
        parts.storages(
            backend, bucket=bucket, endpoint_url="", region="", access_key="", secret_key=""
        )


def test_metrics_addresses_are_networks():
    assert parts.networks("X", ["10.0.0.0/8", "::1", "192.168.1.7"]) == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1"),
        ipaddress.ip_network("192.168.1.7"),
    ]
    with pytest.raises(ImproperlyConfigured, match="X"):
        parts.networks("X", ["10.0.0.300"])
