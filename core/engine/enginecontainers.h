#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>

namespace slipway {

class EngineConnection;

// A volume or a directory of the host in a container (HostConfig.Mounts).
struct ContainerMount
{
    QString source; // a named volume, or an absolute path on the engine's host with bind
    QString target;
    bool bind = false;
    bool readOnly = false;
};

// What a new container is made of (POST /containers/create).
struct ContainerSpec
{
    QString name;
    QString image;
    QMap<QString, QString> labels;
    QMap<QString, QString> env;
    QStringList ports;       // "HOST:CONTAINER[/proto]" or "PORT"
    QString network;         // "host", a network name, or empty for the engine's default
    QString restart;         // "no", "always", "unless-stopped", "on-failure"
    QStringList healthcheck; // e.g. {"CMD", "wget", "-q", "..."}; empty: the image's own
    QStringList command;     // replaces the image's CMD; empty: the image's
    QList<ContainerMount> mounts;
    qint64 memoryBytes = 0; // 0: no limit
    qint64 nanoCpus = 0;    // CPUs in billionths; 0: no limit
    QStringList extraHosts; // "name:address"
    QString logDriver;      // empty: the engine's default
    QMap<QString, QString> logOptions;
};

struct ContainerSummary
{
    QString id;
    QString name; // without the leading '/'
    QString image;
    QString state;      // "created", "running", "exited", ...
    QString status;     // the engine's words: "Up 5 minutes", "Exited (0) 2 hours ago"
    qint64 created = 0; // Unix time, seconds
    QMap<QString, QString> labels;
};

// One sample of a container's resource use (GET /containers/{id}/stats), as counters: the CPU
// share comes from two samples (cpuPercent).
struct ContainerStats
{
    qint64 cpuTotal = 0;    // ns of CPU the container used, ever
    qint64 systemTotal = 0; // ns of CPU the host used, ever (all cores)
    int onlineCpus = 0;
    qint64 memoryUsed = 0; // bytes, page cache that can be dropped not counted (as `docker stats`)
    qint64 memoryLimit = 0;

    // The share of one core the container used between `before` and this sample, as `docker
    // stats` shows it (200: two cores' worth); -1 when the samples cannot tell.
    double cpuPercent(const ContainerStats &before) const;
    static ContainerStats fromJson(const QJsonObject &json);
};

struct ContainerState
{
    QString id;
    QString name;
    QString status; // "created", "running", "exited", ...
    bool running = false;
    int exitCode = 0;
    int restartCount = 0;             // a restart policy brought it back this often
    QString error;                    // the engine's State.Error
    QString health;                   // State.Health.Status: "starting", "healthy", "unhealthy"; empty: none
    QString startedAt;                // as the engine wrote it
    QString ipAddress;                // on its first network; empty with host networking
    QMap<QString, QString> addresses; // its IPv4 address on each network it is on, by network name
    QMap<QString, QString> labels;
};

// The engine's containers: their life cycle, listing, logs and exec. On a connected
// EngineConnection, which it does not own. Sets Error::Code Conflict when a name is taken
// (whichever way the engine words it) and NotExecutable when exec's program is not in the image.
class EngineContainers final
{
public:
    explicit EngineContainers(EngineConnection &connection)
        : m_connection(connection)
    {}

    Result<QString> create(const ContainerSpec &spec); // the new container's id
    Status start(const QString &id);
    // Extracts the tar stream `tar` into the container at `directory` (PUT /containers/{id}/archive),
    // which must exist in it; works on a container that is created and not started yet.
    Status putArchive(const QString &id, const QString &directory, const QByteArray &tar);
    Result<ContainerState> inspect(const QString &id);
    // Whether `path` exists in the container's file system (HEAD /containers/{id}/archive);
    // works on a container that is created and not started.
    Result<bool> hasPath(const QString &id, const QString &path);
    // Stops with SIGTERM, then SIGKILL after timeoutSeconds; 0: SIGKILL at once, on any engine.
    Status stop(const QString &id, int timeoutSeconds = 10);
    Status remove(const QString &id, bool force = true);
    // The command lines of the processes running in the container (GET /containers/{id}/top).
    Result<QStringList> processes(const QString &id);
    // Sends a signal ("USR2") to the container's main process (POST /containers/{id}/kill).
    Status signal(const QString &id, const QString &signal);
    // The network `name`, made (a bridge with `labels`) when the engine has none of that name.
    Status ensureNetwork(const QString &name, const QMap<QString, QString> &labels);
    // Stops (as stop()) and starts again; a stopped container is started.
    Status restart(const QString &id, int timeoutSeconds = 10);
    // GET /containers/json?all=1 filtered by labels ("key=value" or "key").
    Result<QList<ContainerSummary>> list(const QStringList &labels);
    // The last `tail` lines of stdout and stderr, demultiplexed, in order.
    Result<QStringList> logs(const QString &id, int tail = 50);
    // Which logs followLogs() asks for.
    struct LogQuery
    {
        int tail = -1;           // lines back to start from; -1: from the start
        qint64 since = 0;        // only lines from this Unix time (seconds) on; 0: any
        bool timestamps = false; // each line starts with its RFC 3339 time and a space
        bool follow = true;      // false: what is there now, then the call returns
    };
    // Follows the logs until the container stops, onLine returns false, or stop is requested.
    Status followLogs(const QString &id, const std::function<bool(int stream, const QString &line)> &onLine,
                      const LogQuery &query);
    Status followLogs(const QString &id, const std::function<bool(int stream, const QString &line)> &onLine,
                      int tail = -1)
    {
        return followLogs(id, onLine,
                          LogQuery{.tail = tail, .since = 0, .timestamps = false, .follow = true});
    }
    // Streams the container's resource use, a sample about every second, until onSample returns
    // false, the container stops, or stop is requested.
    Status followStats(const QString &id, const std::function<bool(const ContainerStats &)> &onSample);
    // Runs `command` inside the running container (POST /containers/{id}/exec, then start
    // attached) and returns its exit status; stdout and stderr go to `output` when given.
    Result<int> exec(const QString &id, const QStringList &command, QString *output = nullptr,
                     int timeoutSeconds = 30);

    // Splits Docker's multiplexed log stream (8-byte headers) into frames; `pending` keeps a
    // partial frame between calls.
    static void demultiplex(QByteArray &pending, QByteArray chunk,
                            const std::function<void(int stream, const QByteArray &payload)> &onFrame);

private:
    EngineConnection &m_connection;
};

} // namespace slipway
