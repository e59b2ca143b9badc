#pragma once

#include <QList>
#include <QString>

#include <sys/types.h>

namespace slipway::test {

// The processes whose command line or working directory lies under `path`, and those whose
// root file system does (containers).
QList<pid_t> processesUnder(const QString &path);

// Every descendant of `pid`, children first in the list's order of discovery.
QList<pid_t> descendantsOf(pid_t pid);

// SIGKILL each process and wait until it is gone (reaped or reparented and reaped), at most 5 s.
void killAndWait(const QList<pid_t> &pids);

bool processExists(pid_t pid);

// Lazily unmounts whatever is mounted under `path` (podman leaves shm mounts behind a crash).
void unmountUnder(const QString &path);

// A loopback TCP port nobody listens on right now.
quint16 freeLoopbackPort();

// A TCP socket listening on 127.0.0.1 at a port the kernel picks, for test-owned servers and
// "something else holds the port": its descriptor (the caller closes it) and *port; -1 on failure.
int listenOnLoopback(quint16 *port, int backlog = 8);

// True once something accepts a connection on 127.0.0.1:port (or the unix socket), within timeoutMs.
bool waitForTcp(quint16 port, int timeoutMs);
bool waitForUnixSocket(const QString &path, int timeoutMs);

// Runs a program to completion; returns its exit code, or -1 when it could not start or timed out.
// stdout and stderr go to `output` when given.
int runTool(const QString &program, const QStringList &arguments, QString *output = nullptr,
            const QStringList &environment = {}, int timeoutMs = 60000);

} // namespace slipway::test
