// slipway-cli: everything the window does, from a terminal or CI. Wiring only.

#include "commandline.h"
#include "commands.h"

#include <QCoreApplication>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <stop_token>
#include <thread>

#include <unistd.h>

namespace {

std::atomic<bool> interrupted{false};

// The first Ctrl+C asks the job to stop cleanly; a second one ends the process at once, in case
// something (a library call that cannot be interrupted) keeps the job from noticing.
extern "C" void onInterrupt(int)
{
    if (interrupted.exchange(true)) {
        static const char message[] = "slipway-cli: interrupted twice, exiting without cleaning up\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
        ::_exit(130);
    }
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
        return 2;
    case slipway::cli::ParseOutcome::Action::Run:
        break;
    }

    // Ctrl+C (or SIGTERM) asks the running job to stop; it cleans up and exits 130. A second
    // one exits at once.
    std::stop_source stop;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::jthread watcher([&stop](std::stop_token finished) {
        while (!finished.stop_requested()) {
            if (interrupted) {
                stop.request_stop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });

    slipway::cli::CommandContext context{out, err, stop.get_token()};
    return slipway::cli::runCommand(outcome.invocation, context);
}
