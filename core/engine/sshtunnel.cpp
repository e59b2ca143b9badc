#include "engine/sshtunnel.h"

#include "util/logging.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace slipway {
namespace {

QString lastLine(const QByteArray &output)
{
    const QStringList lines = QString::fromUtf8(output).split(u'\n', Qt::SkipEmptyParts);
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        const QString line = lines.at(i).trimmed();
        // ssh's chatter about added known hosts or the banner is not the cause.
        if (!line.isEmpty() && !line.startsWith(QStringLiteral("Warning: Permanently added")))
            return line;
    }
    return {};
}

} // namespace

SshTunnel::SshTunnel() = default;

SshTunnel::~SshTunnel()
{
    close();
}

bool SshTunnel::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void SshTunnel::close()
{
    if (m_process) {
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(3000)) {
                m_process->kill();
                m_process->waitForFinished(3000);
            }
        }
        m_process.reset();
    }
    m_dir.reset();
    m_localSocket.clear();
    m_controlPath.clear();
    m_forwards = 0;
}

namespace {

bool acceptsConnections(const QString &path)
{
    const QByteArray name = QFile::encodeName(path);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (size_t(name.size()) >= sizeof address.sun_path)
        return false;
    std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const bool connected = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

} // namespace

Status SshTunnel::open(const QString &user, const QString &host, int port, const QString &remote,
                       std::stop_token stop)
{
    close();
    const QString destination = user.isEmpty() ? host : user + u'@' + host;
    const auto fail = [&](const QString &cause) {
        return Error::failed(QStringLiteral("ssh to %1: %2").arg(destination, cause));
    };

    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/slipway-ssh-XXXXXX"));
    if (!m_dir->isValid())
        return fail(
            QStringLiteral("cannot create a private directory for the socket: %1").arg(m_dir->errorString()));
    m_localSocket = m_dir->filePath(QStringLiteral("s")); // short: sun_path holds 108 bytes
    m_controlPath = m_dir->filePath(QStringLiteral("c"));

    if (Status started = start(user, host, port,
                               {QStringLiteral("-o"), QStringLiteral("StreamLocalBindUnlink=yes"),
                                QStringLiteral("-o"), QStringLiteral("ControlMaster=yes"),
                                QStringLiteral("-o"), QStringLiteral("ControlPath=") + m_controlPath,
                                QStringLiteral("-L"), m_localSocket + u':' + remote});
        !started)
        return fail(started.error().message);

    QDeadlineTimer deadline(30000);
    // ssh binds the socket before it listens: wait until a connection is accepted, not only
    // until the file is there (under load, a request could otherwise land in between).
    while (!acceptsConnections(m_localSocket)) {
        if (stop.stop_requested()) {
            close();
            return Error::cancelled(QStringLiteral("ssh to %1: cancelled").arg(destination));
        }
        if (m_process->waitForFinished(10) || m_process->state() == QProcess::NotRunning) {
            const QString cause = lastLine(m_process->readAllStandardError());
            const int code = m_process->exitCode();
            close();
            return fail(cause.isEmpty() ? QStringLiteral("ssh exited with status %1").arg(code) : cause);
        }
        if (deadline.hasExpired()) {
            close();
            return fail(QStringLiteral("no forwarded socket after 30 s"));
        }
    }
    return success();
}

QStringList SshTunnel::command(const QString &user, const QString &host, int port,
                               const QStringList &options) const
{
    QStringList command = QProcess::splitCommand(qEnvironmentVariable("SLIPWAY_SSH_COMMAND"));
    if (command.isEmpty())
        command = {QStringLiteral("ssh")};
    command << QStringLiteral("-o") << QStringLiteral("BatchMode=yes") << options;
    if (port > 0)
        command << QStringLiteral("-p") << QString::number(port);
    if (!user.isEmpty())
        command << QStringLiteral("-l") << user;
    command << QStringLiteral("--") << host;
    return command;
}

Status SshTunnel::start(const QString &user, const QString &host, int port, const QStringList &forward)
{
    m_user = user;
    m_host = host;
    m_port = port;
    QStringList arguments = command(
        user, host, port,
        QStringList{QStringLiteral("-o"), QStringLiteral("ExitOnForwardFailure=yes"), QStringLiteral("-N")} +
            forward);
    const QString program = arguments.takeFirst();

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    qCDebug(lcEngine) << "ssh tunnel" << host << forward;
    m_process->start(program, arguments);
    if (!m_process->waitForStarted(10000))
        return Error::failed(QStringLiteral("cannot run %1: %2").arg(program, m_process->errorString()));
    return success();
}

// One ssh command through the control master: a request (`-O forward ...`) or a command to
// run on the host; its exit code and what it printed. An ssh that cannot be run, or that does
// not end in 30 s, is an error.
Result<SshTunnel::Ran> SshTunnel::throughMaster(const QStringList &options, const QStringList &remote,
                                                std::stop_token stop)
{
    const QString destination = m_user.isEmpty() ? m_host : m_user + u'@' + m_host;
    if (m_controlPath.isEmpty() || !isRunning())
        return Error::failed(QStringLiteral("ssh to %1: the connection is closed").arg(destination));
    // The master listens for requests just after it set up its first forward; an ssh command
    // whose own options say ControlPath=none never does.
    QDeadlineTimer listening(500);
    while (!QFileInfo::exists(m_controlPath) && !listening.hasExpired() && isRunning())
        QThread::msleep(10);
    if (!QFileInfo::exists(m_controlPath)) {
        m_controlPath.clear();
        return Error::failed(
            QStringLiteral("ssh to %1: the connection takes no more requests").arg(destination));
    }
    QStringList arguments =
        command(m_user, m_host, m_port,
                QStringList{QStringLiteral("-o"), QStringLiteral("ControlPath=") + m_controlPath} + options) +
        remote;
    const QString program = arguments.takeFirst();
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(program, arguments);
    QDeadlineTimer deadline(30000);
    while (!process.waitForFinished(20)) {
        if (process.state() == QProcess::NotRunning)
            break;
        if (stop.stop_requested() || deadline.hasExpired()) {
            process.kill();
            process.waitForFinished(3000);
            return stop.stop_requested()
                       ? Error::cancelled(QStringLiteral("ssh to %1: cancelled").arg(destination))
                       : Error::failed(QStringLiteral("ssh to %1: no answer after 30 s").arg(destination));
        }
    }
    if (process.error() == QProcess::FailedToStart || process.exitStatus() != QProcess::NormalExit)
        return Error::failed(QStringLiteral("ssh to %1: %2").arg(destination, process.errorString()));
    return Ran{process.exitCode(), process.readAllStandardOutput(), lastLine(process.readAllStandardError())};
}

// One request to the control master (`ssh -O forward ...`); what it printed.
Result<QByteArray> SshTunnel::control(const QStringList &forward, std::stop_token stop)
{
    auto ran =
        throughMaster(QStringList{QStringLiteral("-O"), QStringLiteral("forward")} + forward, {}, stop);
    if (!ran)
        return ran.error();
    if (ran->exitCode != 0)
        return Error::failed(
            QStringLiteral("ssh to %1: %2")
                .arg(m_user.isEmpty() ? m_host : m_user + u'@' + m_host,
                     ran->error.isEmpty() ? QStringLiteral("the forward request failed") : ran->error));
    return ran->output;
}

Result<std::optional<bool>> SshTunnel::pathExists(const QString &path, std::stop_token stop)
{
    // The remote shell reads the command line: each path goes in single quotes. Only an answer
    // the command printed counts: a shell that runs nothing (nologin, a forced command) is no
    // answer. A parent that cannot be searched hides what is in it: unknown.
    const auto quoted = [](QString text) -> QString {
        return u'\'' + text.replace(u'\'', QStringLiteral("'\\''")) + u'\'';
    };
    // The nearest directory above it that is there: one this user may not search hides the rest.
    auto ran =
        throughMaster({},
                      {QStringLiteral("p=%1; if test -e \"$p\"; then echo present; exit 0; fi; "
                                      "d=$(dirname \"$p\"); while ! test -e \"$d\"; do d=$(dirname \"$d\"); "
                                      "done; if test -d \"$d\" && ! test -x \"$d\"; then echo unknown; "
                                      "else echo absent; fi")
                           .arg(quoted(path))},
                      stop);
    if (!ran)
        return ran.error();
    // The last line: a login script may print before it.
    const QByteArray answer = ran->output.trimmed().split('\n').constLast().trimmed();
    if (ran->exitCode == 0 && answer == "present")
        return std::optional<bool>(true);
    if (ran->exitCode == 0 && answer == "absent")
        return std::optional<bool>(false);
    if (ran->exitCode == 0 && answer == "unknown")
        return std::optional<bool>();
    return Error::failed(QStringLiteral("ssh to %1: cannot look for %2: %3")
                             .arg(m_user.isEmpty() ? m_host : m_user + u'@' + m_host, path,
                                  ran->error.isEmpty()
                                      ? QStringLiteral("no answer (exit code %1)").arg(ran->exitCode)
                                      : ran->error));
}

Result<quint16> SshTunnel::addReverse(quint16 localPort, std::stop_token stop, quint16 remotePort)
{
    auto printed = control(
        {QStringLiteral("-R"), QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(remotePort).arg(localPort)},
        stop);
    if (!printed)
        return printed.error();
    if (remotePort != 0)
        return remotePort;
    bool number = false;
    const uint port = QString::fromLatin1(printed->trimmed()).toUInt(&number);
    if (!number || port == 0 || port > 65535)
        return Error::failed(QStringLiteral("ssh named no forwarded port for 127.0.0.1:%1").arg(localPort));
    return quint16(port);
}

Result<QString> SshTunnel::addForward(const QString &remote, std::stop_token stop)
{
    if (!m_dir)
        return Error::failed(QStringLiteral("ssh to %1: the connection is closed").arg(m_host));
    const QString socket = m_dir->filePath(QStringLiteral("f%1").arg(++m_forwards));
    if (auto done = control({QStringLiteral("-L"), socket + u':' + remote}, stop); !done)
        return done.error();
    return socket;
}

Result<quint16> SshTunnel::openReverse(const QString &user, const QString &host, int port, quint16 localPort,
                                       std::stop_token stop)
{
    close();
    const QString destination = user.isEmpty() ? host : user + u'@' + host;
    const auto fail = [&](const QString &cause) {
        close();
        return Error::failed(QStringLiteral("ssh to %1: remote forward to 127.0.0.1:%2: %3")
                                 .arg(destination)
                                 .arg(localPort)
                                 .arg(cause));
    };
    // Port 0: sshd picks a free port on its loopback, and ssh says which ("Allocated port N for
    // remote forward to ..."), at log level INFO.
    if (Status started = start(user, host, port,
                               {QStringLiteral("-o"), QStringLiteral("LogLevel=INFO"), QStringLiteral("-R"),
                                QStringLiteral("127.0.0.1:0:127.0.0.1:%1").arg(localPort)});
        !started)
        return fail(started.error().message);
    static const QRegularExpression allocated(QStringLiteral("Allocated port (\\d+) for remote forward"));
    QByteArray output;
    QDeadlineTimer deadline(30000);
    for (;;) {
        if (stop.stop_requested()) {
            close();
            return Error::cancelled(QStringLiteral("ssh to %1: cancelled").arg(destination));
        }
        const bool finished = m_process->waitForFinished(50) || m_process->state() == QProcess::NotRunning;
        output += m_process->readAllStandardError();
        if (const QRegularExpressionMatch match = allocated.match(QString::fromUtf8(output));
            match.hasMatch())
            return quint16(match.captured(1).toUInt());
        if (finished) {
            const QString cause = lastLine(output);
            return fail(cause.isEmpty()
                            ? QStringLiteral("ssh exited with status %1").arg(m_process->exitCode())
                            : cause);
        }
        if (deadline.hasExpired())
            return fail(QStringLiteral("ssh named no forwarded port after 30 s"));
    }
}

} // namespace slipway
