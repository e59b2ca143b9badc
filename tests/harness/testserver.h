#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>

class QTemporaryDir;

namespace slipway::test {

// A real server process for a test, in a temporary directory of its own, on loopback.
// start() prepares its files, launches it and waits until it answers; stop() (and the
// destructor) ends it with every process it spawned, unmounts and removes its directory.
// The child gets PR_SET_PDEATHSIG, so even a test that crashes leaves no server running.
class TestServer
{
public:
    TestServer(const TestServer &) = delete;
    TestServer &operator=(const TestServer &) = delete;
    virtual ~TestServer();

    // False with errorString() when the server did not come up; it is stopped again then.
    bool start();
    void stop();

    bool isRunning() const;
    QString errorString() const { return m_error; }
    // The temporary directory; empty before start() and after stop().
    QString directory() const;
    qint64 processId() const { return m_pid; }
    // What the server printed, for failure messages.
    QString serverLog() const;

protected:
    explicit TestServer(QString kind);

    // Writes the server's files into directory(); false with fail() on error.
    virtual bool prepare() = 0;
    virtual QString program() const = 0;
    virtual QStringList arguments() const = 0;
    virtual QStringList environment() const { return {}; }
    virtual bool waitUntilReady() = 0;
    // Called before the process is ended (podman removes its containers); the service may have
    // died or been replaced by then.
    virtual void beforeStop() {}
    // Called once every process is gone and the directory removed (docker deletes its bridge).
    virtual void afterStop() {}

    bool fail(const QString &message);
    QString path(const QString &name) const;
    bool writeFile(const QString &name, const QByteArray &contents);
    // Runs a tool and fails with its output when it does not exit 0.
    bool run(const QString &program, const QStringList &arguments, const QStringList &environment = {});

private:
    QString m_kind;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    qint64 m_pid = 0;
    QString m_error;
};

} // namespace slipway::test
