#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>

namespace slipway {

// The steps of a build, read from what the engine streams. From a classic builder, text:
// Docker's ("Step 2/5 : RUN make", " ---> Using cache") and Podman's, which is buildah's
// ("[1/2] STEP 2/3: RUN make", "--> Using cache 3f2a..."); a step runs from its line to the
// next step's, and one whose cache was used is Cached, not Done. From BuildKit (Docker's
// version=2), its trace: each moby.buildkit.trace message is a StatusResponse (protobuf) whose
// vertexes ("[build 2/5] RUN make") start, complete, come from the cache or fail, and whose
// logs are the steps' output; BuildKit's own "[internal]" vertexes are left out.
class BuildSteps final
{
public:
    struct Step
    {
        enum class State
        {
            Queued, // BuildKit: known, not started
            Running,
            Cached,
            Done,
            Failed
        };
        int index = 0;       // 0, 1, ... in the order the engine ran them
        QString stage;       // buildah's "1/2", BuildKit's "build" or "stage-1"; empty for Docker's classic
        QString number;      // as the engine counts: "2/5"
        QString instruction; // "RUN make"
        State state = State::Running;
        // Its time once it ended (cached, done or failed): BuildKit's own start and completion
        // times; from a classic builder's text, from its line to the next step's (or the end).
        qint64 elapsedMs = 0;
    };

    // A step started, or its state changed.
    std::function<void(const Step &step)> onStep;
    // A line of output: of the running step (its index), or -1 outside every step.
    std::function<void(int step, const QString &line)> onLine;

    // Text as the engine streams it; lines are read as they complete.
    void add(const QString &text);
    // One BuildKit StatusResponse, as decoded from a moby.buildkit.trace message's base64. False
    // when it is not a well-formed message (it is then ignored).
    bool addTrace(const QByteArray &statusResponse);
    // The stream ended: the rest is read, and the running step is Done, or Failed when the
    // build failed.
    void finish(bool failed);

    const QList<Step> &steps() const { return m_steps; }
    static const char *stateName(Step::State state);

private:
    void line(const QString &text);
    void setState(Step::State state);
    // elapsedMs: the step's time by the engine's clock once it ended; -1: by m_clock.
    void setState(int index, Step::State state, qint64 elapsedMs = -1);
    void append(Step step, qint64 elapsedMs = -1);

    QString m_pending;
    QList<Step> m_steps;
    QElapsedTimer m_clock;                    // started with the first step
    QList<qint64> m_startedAt;                // on m_clock: when each step came, or began running
    QHash<QByteArray, int> m_vertexSteps;     // BuildKit vertex digest -> its step
    QHash<QByteArray, QByteArray> m_logTails; // a vertex's output after its last newline
};

} // namespace slipway
