#pragma once

#include <QString>
#include <QStringList>

namespace slipway::test {

// Everything Qt logs while it lives, from any thread, as "CATEGORY MESSAGE" lines: for checks
// such as "no secret is ever logged". It installs a message handler (in initTestCase or later:
// QTest::qExec installs one of its own) and puts the previous one back when destroyed;
// `filterRules` (e.g. "slipway.*=true") apply meanwhile. With Forward, each message also goes on
// to the previous handler, so it is still in the test's output.
class LogCapture
{
public:
    enum class Mode
    {
        Forward,
        Swallow
    };

    explicit LogCapture(const QString &filterRules = {}, Mode mode = Mode::Forward);
    ~LogCapture();
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    QStringList lines() const;
    void clear();
    // The lines so far that contain `needle`.
    QStringList linesWith(const QString &needle) const;
};

} // namespace slipway::test
