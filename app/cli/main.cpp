// slipway-cli: everything the window does, from a terminal or CI. Wiring only.

#include "commandline.h"
#include "commands.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stop_token>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace {

std::atomic<bool> interrupted{false};
int wakeup[2] = {-1, -1}; // the signal handler writes 'i' here, the end of the command 'e'

// The first Ctrl+C asks the job to stop cleanly; a second one ends the process at once, in case
// something (a library call that cannot be interrupted) keeps the job from noticing. A handler
// may do little: it wakes the watcher thread, which requests the stop.
extern "C" void onInterrupt(int)
{
    if (interrupted.exchange(true)) {
        static const char message[] = "slipway-cli: interrupted twice, exiting without cleaning up\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(130);
    }
    const char byte = 'i';
    [[maybe_unused]] const auto written = ::write(wakeup[1], &byte, 1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("slipway-cli"));
    QCoreApplication::setOrganizationName(QStringLiteral("Slipway"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto outcome = slipway::cli::parseCommandLine(QCoreApplication::arguments());
    switch (outcome.action) {
    case slipway::cli::ParseOutcome::Action::ShowText:
        out << outcome.text;
        return 0;
    case slipway::cli::ParseOutcome::Action::UsageError:
        err << outcome.text << '\n';
        if (QCoreApplication::arguments().contains(QStringLiteral("--json")))
            out << QJsonDocument(
                       QJsonObject{{QStringLiteral("error"), outcome.text}, {QStringLiteral("exitCode"), 2}})
                       .toJson(QJsonDocument::Compact)
                << '\n';
        return 2;
    case slipway::cli::ParseOutcome::Action::Run:
        break;
    }

    // Ctrl+C (or SIGTERM) asks the running job to stop; it cleans up and exits 130. A second
    // one exits at once.
    std::stop_source stop;
    if (::pipe2(wakeup, O_CLOEXEC) != 0) {
        err << "slipway-cli: cannot create a pipe: " << strerror(errno) << '\n';
        return 1;
    }
    std::jthread watcher([&stop] {
        char byte = 0;
        while (::read(wakeup[0], &byte, 1) < 0 && errno == EINTR) {
        }
        if (byte == 'i')
            stop.request_stop();
    });
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);

    slipway::cli::CommandContext context{out, err, stop.get_token(), outcome.invocation.json};
    const int status = slipway::cli::runCommand(outcome.invocation, context);
    const char end = 'e';
    [[maybe_unused]] const auto written = ::write(wakeup[1], &end, 1);
    return status;
}
