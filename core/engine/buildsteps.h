#pragma once

#include <QList>
#include <QString>

#include <functional>

namespace slipway {

// The steps of a build through an engine's classic builder, read from the text it streams:
// Docker's ("Step 2/5 : RUN make", " ---> Using cache") and Podman's, which is buildah's
// ("[1/2] STEP 2/3: RUN make", "--> Using cache 3f2a..."). A step runs from its line to the
// next step's; one whose cache was used is Cached, not Done.
class BuildSteps final
{
public:
    struct Step
    {
        enum class State
        {
            Running,
            Cached,
            Done,
            Failed
        };
        int index = 0;       // 0, 1, ... in the order the engine ran them
        QString stage;       // buildah's "1/2" of a multi-stage build; empty for Docker's
        QString number;      // as the engine counts: "2/5"
        QString instruction; // "RUN make"
        State state = State::Running;
    };

    // A step started, or its state changed.
    std::function<void(const Step &step)> onStep;
    // A line of output: of the running step (its index), or -1 outside every step.
    std::function<void(int step, const QString &line)> onLine;

    // Text as the engine streams it; lines are read as they complete.
    void add(const QString &text);
    // The stream ended: the rest is read, and the running step is Done, or Failed when the
    // build failed.
    void finish(bool failed);

    const QList<Step> &steps() const { return m_steps; }
    static const char *stateName(Step::State state);

private:
    void line(const QString &text);
    void setState(Step::State state);

    QString m_pending;
    QList<Step> m_steps;
};

} // namespace slipway
