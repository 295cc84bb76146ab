import socket

import pytest


def test_outbound_connection_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(RuntimeError, match="network"):
            sock.connect(("93.184.216.34", 80))
