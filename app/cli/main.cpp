// slipway-cli: everything the window does, from a terminal or CI. Wiring only.

#include "commandline.h"

#include <QCoreApplication>
#include <QTextStream>

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
    err << "slipway-cli: '" << outcome.invocation.command << "' is not available in this version yet\n";
    return 1;
}
