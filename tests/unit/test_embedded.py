"""The embedded server's bookkeeping: processes that died without cleaning up do not keep it running."""

import os
import subprocess

from database.embedded import _forget_dead_handles


class Handles:
    def __init__(self, pids):
        self.pids = list(pids)

    def get(self):
        return list(self.pids)

    def put(self, pids):
        self.pids = list(pids)


class Server:
    def __init__(self, pids):
        self.global_process_id_list = Handles(pids)


def test_dead_processes_are_forgotten_and_live_ones_kept():
    dead = subprocess.Popen(["true"])
    dead.wait()
    server = Server([dead.pid, os.getpid()])
    _forget_dead_handles(server)
    assert server.global_process_id_list.pids == [os.getpid()]
