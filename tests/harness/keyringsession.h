#pragma once

#include <QProcessEnvironment>
#include <QString>

#include <functional>

namespace slipway::test {

// Re-runs this test executable on a D-Bus session of its own with an unlocked gnome-keyring,
// whose files go to a temporary directory, with `modeVariable` set to "keyring" so that the
// child knows it is the one to run the tests. dbus-run-session ends the bus when the test ends,
// and gnome-keyring-daemon exits with its bus; anything left that carries this run's marker is
// ended by pid. `adjust` may change the child's environment (root: the temporary directory).
// Returns the child's exit status; 97 when gnome-keyring-daemon could not start.
int runUnderKeyring(
    int argc, char **argv, const char *modeVariable,
    const std::function<void(QProcessEnvironment &environment, const QString &root)> &adjust = {});

} // namespace slipway::test
