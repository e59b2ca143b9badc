<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AppLogsDialog</name>
    <message>
        <source>Logs of %1 on %2 (following)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs of %1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AppModel</name>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restarted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 by %2 at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>put in maintenance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>made live again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Swarm service, %1 of %n replica(s) running</source>
        <translation>
            <numerusform>Swarm service, %1 of %n replica running</numerusform>
            <numerusform>Swarm service, %1 of %n replicas running</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AppSettings</name>
    <message>
        <source>Cache cleared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AppsPage</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 on %2?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its containers are stopped and removed; the images and the history stay, so a redeploy or rollback brings it back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What runs on each target now, and whether it is what Slipway deployed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secrets…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Not reachable now: %1. Their apps are shown as the history has them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>release %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>commit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>up %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n restart(s)</source>
        <translation>
            <numerusform>%n restart</numerusform>
            <numerusform>%n restarts</numerusform>
        </translation>
    </message>
    <message>
        <source>CPU %1% · memory %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Drift: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last by hand: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No apps yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apps appear here once Slipway has deployed them: pick a project and targets on the Deploy page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In maintenance: the proxy answers its requests with 503 and a maintenance page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proxy answers %1&apos;s requests with 503 and a maintenance page; its containers keep running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proxy serves %1 again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeployController</name>
    <message>
        <source>Release %1 (%2) is healthy on %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Healthy on %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since release %1, %2 changed: the containers get the values set now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploying needs a target: add one on the Targets page. Build works now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick the targets to deploy to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A run is already going: wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a project first: a local repository, a folder or a git URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the target to roll out to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deployment %1 on %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No interrupted deployment to repair.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaired %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>image: sent %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeployPage</name>
    <message>
        <source>Choose a project folder or repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a project, a branch or commit, and targets; then Build or Deploy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Branch or commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reading refs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>builds the folder as it is</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n ref(s)</source>
        <translation>
            <numerusform>%n ref</numerusform>
            <numerusform>%n refs</numerusform>
        </translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None: [deploy] as it is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deploy with slipway.toml&apos;s [env.NAME] settings, as its own app, to its targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No targets yet: add one on the Targets page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the app on %1 in the browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build the image only (Ctrl+B)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build, push to %1 and roll out (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Build, load into each engine and roll out (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the run (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>registry/repository:tag, or empty to load the image straight into each engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replicas on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replica %1 · %2 · %3 · release %4</source>
        <extracomment>A Swarm replica: &quot;Replica 2 · node-a · running · release 7&quot;, with why it waits or failed after it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no node yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every deployment: which commit went where, when, and how it went.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n deployment(s) stopped half-way (the process running them ended): an app may be down. Repair puts back the release that ran before.</source>
        <translation>
            <numerusform>%n deployment stopped half-way (the process running it ended): an app may be down. Repair puts back the release that ran before.</numerusform>
            <numerusform>%n deployments stopped half-way (the process running them ended): an app may be down. Repair puts back the release that ran before.</numerusform>
        </translation>
    </message>
    <message>
        <source>Repair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no commit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interrupted, repaired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No deployments yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each deployment is listed here with its commit, target, result and log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a deployment to see its log, layers and image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Digest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ref</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  %2  %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no log stored)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redeploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll this release out to %1 again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the release %1 ran before its current one back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the logs of %1 on %2 as it runs now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove what this deployment left half-done on %1 and start the release that ran before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rollback</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back %1 on %2?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redeploy release %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2, %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deployment log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2 goes back to the release it ran there before its current one. The new container takes over once it is healthy: behind the target&apos;s proxy with no gap, with published ports after the current one stops. If it does not get healthy, the current one serves again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release %1 is rolled out to %2 again. The new container takes over once it is healthy: behind the target&apos;s proxy with no gap, with published ports after the current one stops. If it does not get healthy, the current one serves again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LayerList</name>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compressed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Digest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers appear here while an image builds.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter the log (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No line matches the filter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The build&apos;s log appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter the log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest level shown</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Slipway — %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Deploy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NavigationRail</name>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PipelineStrip</name>
    <message>
        <source>%1 · %2 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProjectModel</name>
    <message>
        <source>Wrote %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProjectsPage</name>
    <message>
        <source>A suggested slipway.toml</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write to the folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a project folder or repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Projects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repositories and folders you build: add one by URL or folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://…/app.git, git@host:app.git or /path/to/repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not added: not a folder, a repository or a git URL, or a URL with a password in it (use a git credential helper or an ssh key instead)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (sample)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No slipway.toml</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggest one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No projects yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a git URL or a local folder above; it is remembered here and offered on the Deploy page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git URL or folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>%1: not cloned yet: wait for the clone to finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the folder is gone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Builds of a repository read its commits: after writing it, commit slipway.toml.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Builds read the folder as it is: once written, it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway builds what is committed: add this as slipway.toml at the repository&apos;s root, commit it and push.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a local folder: commit slipway.toml to the repository instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists already: not overwritten</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot write: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a target needs a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target name &apos;%1&apos;: use letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;, starting with a letter or digit, at most 64 characters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the system keychain cannot be reached (there is no D-Bus session bus)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the system keychain has no login for registry %1; log in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer is not shown: it repeated the password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a registry (host[:port]) is needed to log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a registry (host[:port])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a username is needed to log in to registry %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the password for registry %1 is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>login to registry %1 refused, nothing saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>login to registry %1 cancelled, nothing saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>login to registry %1 not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the login for registry %1 was not removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the keychain&apos;s answer is not shown: it repeated the value</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunNotifier</name>
    <message>
        <source>Slipway: done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 after %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SecretsDialog</name>
    <message>
        <source>Secrets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>web, or web-staging for [env.staging]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Values go to the system keychain and reach the app&apos;s containers at the next deploy, as environment variables (or files under /run/secrets). They are never shown again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DB_PASSWORD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no secrets.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Clear the cache?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Git mirrors, built layers and blobs in %1 are removed.
The next build starts cold.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the login for %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway forgets it and removes it from the system keychain.
Podman&apos;s and Docker&apos;s own logins stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compression, parallelism, the cache and registry logins; builds and pushes started from the window use them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zstd is faster and smaller; some older engines only take gzip.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallel jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto: one per core</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>measuring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registry logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved in the system keychain and tried before Podman&apos;s and Docker&apos;s logins. Log in checks the login with the registry first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>registry.example.com:5000</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password or token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No saved logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Podman&apos;s and Docker&apos;s own logins are used as well.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compression level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password or token</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TargetModel</name>
    <message>
        <source>target %1: an endpoint is needed (unix://, tcp:// or ssh://)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target %1: the endpoint holds a password; use ssh keys or the agent, or TLS client certificates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target %1: %2 takes a port from 1 to 65535 (empty: the default), not &apos;%3&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy HTTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy HTTPS port</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TargetsPage</name>
    <message>
        <source>Choose a TLS file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove target %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway stops and removes the apps it deployed there, then forgets the target; its history stays.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway forgets the target; its containers keep running and its history stays.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also stop and remove the apps Slipway deployed there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Docker or Podman hosts Slipway deploys to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add target…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>web-1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unix:///run/podman/podman.sock, tcp://host:2376 or ssh://user@host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS CA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>only for tcp://: the CA, certificate and key together</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  (TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway runs nothing here yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs %1 · commit %2 · since %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No targets yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A target is a Docker or Podman engine reached by a unix socket, TCP with TLS, or ssh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy (zero-downtime deploys)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: the pinned default image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy HTTP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: 80</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy HTTPS port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: 443</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrade the proxy of %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slipway makes the proxy of %1 again from %2, keeping every route. The apps it proxies there do not answer for a second or two while the proxy is replaced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrading the proxy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrade proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upgrade the proxy of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Swarm %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
