#include "testserver.h"

#include "processes.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace slipway::test {
namespace {

const QString ownerFile = QStringLiteral("owner.pid");

// Directories of servers whose test process was killed before it could stop them.
void sweepAbandonedDirectories()
{
    const QDir temp(QDir::tempPath());
    const QStringList names =
        temp.entryList({QStringLiteral("slipway-*-??????")}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : names) {
        QFile owner(temp.filePath(name + u'/' + ownerFile));
        if (!owner.open(QIODevice::ReadOnly))
            continue;
        const pid_t pid = owner.readAll().trimmed().toInt();
        if (pid <= 0 || processExists(pid))
            continue;
        const QString path = temp.filePath(name);
        killAndWait(processesUnder(path));
        unmountUnder(path);
        QDir(path).removeRecursively();
    }
}

} // namespace

TestServer::TestServer(QString kind)
    : m_kind(std::move(kind))
{}

TestServer::~TestServer()
{
    stop();
}

bool TestServer::start()
{
    stop();
    m_error.clear();
    sweepAbandonedDirectories();
    m_dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/slipway-%1-XXXXXX").arg(m_kind));
    if (!m_dir->isValid())
        return fail(QStringLiteral("cannot create a temporary directory: %1").arg(m_dir->errorString()));
    if (!writeFile(ownerFile, QByteArray::number(::getpid())))
        return false;
    if (!prepare()) {
        const QString error = m_error;
        stop();
        m_error = error;
        return false;
    }

    m_process = std::make_unique<QProcess>();
    m_process->setWorkingDirectory(m_dir->path());
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(path(QStringLiteral("server.log")));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : environment())
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    m_process->setProcessEnvironment(env);
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(program(), arguments());
    if (!m_process->waitForStarted(10000)) {
        const QString error = QStringLiteral("%1 did not start: %2").arg(program(), m_process->errorString());
        stop();
        m_error = error;
        return false;
    }
    m_pid = m_process->processId();
    if (!waitUntilReady()) {
        QString error = m_error.isEmpty() ? QStringLiteral("%1 did not answer").arg(m_kind) : m_error;
        error += QStringLiteral("; its log:\n") + serverLog();
        stop();
        m_error = error;
        return false;
    }
    return true;
}

void TestServer::stop()
{
    const bool started = m_dir != nullptr;
    if (m_process)
        beforeStop();
    if (m_process) {
        // Children first: sshd sessions and git daemon workers outlive their parent otherwise.
        const QList<pid_t> children = m_pid > 0 ? descendantsOf(pid_t(m_pid)) : QList<pid_t>();
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(5000)) {
                m_process->kill();
                m_process->waitForFinished(5000);
            }
        }
        killAndWait(children);
        m_process.reset();
    }
    if (m_dir) {
        // Whatever still runs from the directory (podman's conmon is reparented to init) goes too.
        killAndWait(processesUnder(m_dir->path()));
        unmountUnder(m_dir->path());
        m_dir->remove();
        m_dir.reset();
    }
    m_pid = 0;
    if (started)
        afterStop();
}

bool TestServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString TestServer::directory() const
{
    return m_dir ? m_dir->path() : QString();
}

QString TestServer::serverLog() const
{
    QFile log(path(QStringLiteral("server.log")));
    if (!log.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = log.readAll();
    return QString::fromLocal8Bit(text.size() > 4000 ? text.right(4000) : text);
}

bool TestServer::fail(const QString &message)
{
    m_error = QStringLiteral("%1: %2").arg(m_kind, message);
    return false;
}

QString TestServer::path(const QString &name) const
{
    return m_dir ? m_dir->filePath(name) : QString();
}

bool TestServer::writeFile(const QString &name, const QByteArray &contents)
{
    QFile file(path(name));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(contents) != contents.size())
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    return true;
}

bool TestServer::run(const QString &program, const QStringList &arguments, const QStringList &environment)
{
    QString output;
    const int code = runTool(program, arguments, &output, environment);
    if (code != 0)
        return fail(QStringLiteral("%1 %2 exited with %3: %4")
                        .arg(program, arguments.join(u' '))
                        .arg(code)
                        .arg(output.trimmed()));
    return true;
}

} // namespace slipway::test
