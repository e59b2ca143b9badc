#include "keyringsession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

#include <signal.h>
#include <sys/prctl.h>

namespace slipway::test {

int runUnderKeyring(int argc, char **argv, const char *modeVariable,
                    const std::function<void(QProcessEnvironment &, const QString &)> &adjust)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir root;
    if (!root.isValid()) {
        std::fprintf(stderr, "cannot create a temporary directory\n");
        return 1;
    }
    const QString runtime = root.filePath(QStringLiteral("run"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QString::fromLatin1(modeVariable), QStringLiteral("keyring"));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    environment.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    if (adjust)
        adjust(environment, root.path());

    QStringList arguments{QStringLiteral("--"), QStringLiteral("sh"), QStringLiteral("-c"),
                          QStringLiteral("printf pw | gnome-keyring-daemon --unlock --components=secrets "
                                         ">/dev/null || exit 97; exec \"$0\" \"$@\""),
                          QCoreApplication::applicationFilePath()};
    arguments += QCoreApplication::arguments().mid(1);
    QProcess session;
    session.setProcessEnvironment(environment);
    session.setProcessChannelMode(QProcess::ForwardedChannels);
    session.setInputChannelMode(QProcess::ForwardedInputChannel);
    session.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    session.start(QStringLiteral("dbus-run-session"), arguments);
    if (!session.waitForStarted()) {
        std::fprintf(stderr, "cannot start dbus-run-session: %s\n", qPrintable(session.errorString()));
        return 1;
    }
    session.waitForFinished(-1);
    const int status = session.exitStatus() == QProcess::NormalExit ? session.exitCode() : 1;

    const QByteArray marker = "XDG_RUNTIME_DIR=" + runtime.toUtf8() + '\0';
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList({QStringLiteral("[0-9]*")}, QDir::Dirs);
    for (const QString &pid : pids) {
        QFile environ(QStringLiteral("/proc/") + pid + QStringLiteral("/environ"));
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().contains(marker)) {
            std::fprintf(stderr, "ending process %s left over from the keychain session\n", qPrintable(pid));
            ::kill(pid.toInt(), SIGKILL);
        }
    }
    if (status == 97)
        std::fprintf(stderr, "gnome-keyring-daemon could not start (apt-get install gnome-keyring dbus)\n");
    return status;
}

} // namespace slipway::test
