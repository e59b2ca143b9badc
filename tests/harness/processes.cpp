#include "processes.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace slipway::test {
namespace {

QList<pid_t> allPids()
{
    QList<pid_t> pids;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const pid_t pid = entry.toInt(&ok);
        if (ok)
            pids += pid;
    }
    return pids;
}

pid_t parentOf(pid_t pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 ? fields.at(1).toInt() : 0;
}

bool connectTo(int family, const sockaddr *address, socklen_t length)
{
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const bool connected = ::connect(fd, address, length) == 0;
    ::close(fd);
    return connected;
}

} // namespace

QList<pid_t> processesUnder(const QString &path)
{
    const QByteArray needle = QDir(path).absolutePath().toLocal8Bit();
    QList<pid_t> found;
    const pid_t self = ::getpid();
    for (const pid_t pid : allPids()) {
        if (pid == self)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(needle)) {
            found += pid;
            continue;
        }
        const QString cwd = QFile::symLinkTarget(QStringLiteral("/proc/%1/cwd").arg(pid));
        if (!cwd.isEmpty() && cwd.toLocal8Bit().startsWith(needle)) {
            found += pid;
            continue;
        }
        // A container's processes (left to init by a killed shim): their root mount is a file
        // system under the engine's storage, as their own mount table tells.
        QFile mountinfo(QStringLiteral("/proc/%1/mountinfo").arg(pid));
        if (!mountinfo.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : mountinfo.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(' ');
            if (fields.size() > 4 && fields.at(4) == "/" && line.contains(needle)) {
                found += pid;
                break;
            }
        }
    }
    return found;
}

QList<pid_t> descendantsOf(pid_t pid)
{
    QHash<pid_t, QList<pid_t>> children;
    for (const pid_t candidate : allPids())
        children[parentOf(candidate)] += candidate;
    QList<pid_t> result;
    QList<pid_t> pending{pid};
    while (!pending.isEmpty()) {
        for (const pid_t child : children.value(pending.takeFirst())) {
            result += child;
            pending += child;
        }
    }
    return result;
}

bool processExists(pid_t pid)
{
    if (::kill(pid, 0) != 0)
        return false;
    // A zombie still answers kill(); it is gone for our purposes once its parent reaps it.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    return line.mid(line.lastIndexOf(')') + 2, 1) != "Z";
}

void killAndWait(const QList<pid_t> &pids)
{
    for (const pid_t pid : pids)
        ::kill(pid, SIGKILL);
    QDeadlineTimer deadline(5000);
    for (const pid_t pid : pids) {
        while (processExists(pid) && !deadline.hasExpired()) {
            ::waitpid(pid, nullptr, WNOHANG); // reaps our own children; others are init's
            QThread::msleep(10);
        }
    }
}

void unmountUnder(const QString &path)
{
    QFile mountinfo(QStringLiteral("/proc/self/mountinfo"));
    if (!mountinfo.open(QIODevice::ReadOnly))
        return;
    const QByteArray prefix = QDir(path).absolutePath().toLocal8Bit() + '/';
    QList<QByteArray> mountPoints;
    for (const QByteArray &line : mountinfo.readAll().split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() > 4 && fields.at(4).startsWith(prefix))
            mountPoints.prepend(fields.at(4)); // innermost first
    }
    for (const QByteArray &mountPoint : mountPoints)
        ::umount2(mountPoint.constData(), MNT_DETACH);
}

quint16 freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    quint16 port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

int listenOnLoopback(quint16 *port, int backlog)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
        ::listen(fd, backlog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

bool waitForTcp(quint16 port, int timeoutMs)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    QDeadlineTimer deadline(timeoutMs);
    do {
        if (connectTo(AF_INET, reinterpret_cast<sockaddr *>(&address), sizeof address))
            return true;
        QThread::msleep(20);
    } while (!deadline.hasExpired());
    return false;
}

bool waitForUnixSocket(const QString &path, int timeoutMs)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = path.toLocal8Bit();
    if (encoded.size() >= qsizetype(sizeof address.sun_path))
        return false;
    std::copy(encoded.cbegin(), encoded.cend(), address.sun_path);
    QDeadlineTimer deadline(timeoutMs);
    do {
        if (connectTo(AF_UNIX, reinterpret_cast<sockaddr *>(&address), sizeof address))
            return true;
        QThread::msleep(20);
    } while (!deadline.hasExpired());
    return false;
}

int runTool(const QString &program, const QStringList &arguments, QString *output,
            const QStringList &environment, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (!environment.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &assignment : environment)
            env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
        process.setProcessEnvironment(env);
    }
    process.start(program, arguments);
    const bool finished = process.waitForStarted() && process.waitForFinished(timeoutMs);
    if (output)
        *output = QString::fromLocal8Bit(process.readAll());
    if (!finished) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

} // namespace slipway::test
