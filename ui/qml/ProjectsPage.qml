pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Slipway.Ui

// The recent projects: add a local folder or a git URL (cloned into the cache, with progress),
// remove one, or open one on the Deploy page. A project without a slipway.toml gets one suggested
// from what it holds: written into a local folder, or copied to be committed.
Page {
    id: page

    required property ProjectModel projects
    signal openProject(string location)

    objectName: "projectsPage"
    padding: 24
    // A slipway.toml may have been added (or committed) meanwhile.
    onVisibleChanged: if (visible) page.projects.checkSpecs()

    Connections {
        target: page.projects

        function onSuggestionReady(location: string, text: string, why: string, canWrite: bool, note: string) {
            suggestionDialog.location = location
            suggestionDialog.suggestion = text
            suggestionDialog.why = why
            suggestionDialog.canWrite = canWrite
            suggestionDialog.note = note
            suggestionDialog.message = ""
            suggestionDialog.messageOk = false
            suggestionDialog.open()
        }
        function onSuggestionFailed(location: string, error: string) {
            addError.text = error
        }
        function onWritten(location: string, ok: bool, message: string) {
            if (location !== suggestionDialog.location)
                return
            suggestionDialog.message = message
            suggestionDialog.messageOk = ok
            if (ok)
                suggestionDialog.canWrite = false
        }
    }

    Dialog {
        id: suggestionDialog

        property string location
        property string suggestion
        property string why
        property string note
        property bool canWrite
        property string message
        property bool messageOk

        objectName: "suggestionDialog"
        title: qsTr("A suggested slipway.toml")
        modal: true
        anchors.centerIn: parent
        width: Math.min(page.width - 48, 760)
        height: Math.min(page.height - 48, 620)

        ColumnLayout {
            anchors.fill: parent
            spacing: 8
            Label {
                objectName: "suggestionWhy"
                Layout.fillWidth: true
                text: suggestionDialog.why
                wrapMode: Text.Wrap
                font.bold: true
            }
            ScrollView {
                Layout.fillWidth: true
                Layout.fillHeight: true
                TextArea {
                    objectName: "suggestionText"
                    text: suggestionDialog.suggestion
                    readOnly: true
                    selectByMouse: true
                    font.family: "monospace"
                    wrapMode: TextEdit.NoWrap
                }
            }
            Label {
                objectName: "suggestionNote"
                Layout.fillWidth: true
                text: suggestionDialog.note
                wrapMode: Text.Wrap
                opacity: 0.8
            }
            Label {
                objectName: "suggestionResult"
                Layout.fillWidth: true
                visible: text.length > 0
                text: suggestionDialog.message
                wrapMode: Text.Wrap
                color: suggestionDialog.messageOk ? Theme.okColour : Theme.errorColour
            }
        }

        footer: DialogButtonBox {
            Button {
                objectName: "writeSpecButton"
                text: qsTr("Write to the folder")
                visible: suggestionDialog.canWrite
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                onClicked: page.projects.writeSpec(suggestionDialog.location, suggestionDialog.suggestion)
            }
            Button {
                objectName: "copySpecButton"
                text: qsTr("Copy")
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                onClicked: {
                    page.projects.copyToClipboard(suggestionDialog.suggestion)
                    suggestionDialog.message = qsTr("Copied to the clipboard.")
                    suggestionDialog.messageOk = true
                }
            }
            Button {
                text: qsTr("Close")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
    }

    FolderDialog {
        id: folderDialog

        title: qsTr("Add a project folder or repository")
        onAccepted: page.projects.add(page.projects.fromDialogUrl(selectedFolder))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 18

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Projects")
            subtitle: qsTr("Repositories and folders you build: add one by URL or folder.")
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            TextField {
                id: urlField

                objectName: "projectUrlField"
                Accessible.name: qsTr("Git URL or folder")
                Layout.fillWidth: true
                placeholderText: qsTr("https://…/app.git, git@host:app.git or /path/to/repository")
                onAccepted: addButton.clicked()
            }
            Button {
                id: addButton

                text: qsTr("Add")
                enabled: urlField.text.trim().length > 0
                onClicked: {
                    if (page.projects.add(urlField.text)) {
                        urlField.text = ""
                        addError.text = ""
                    } else {
                        addError.text = qsTr("Not added: not a folder, a repository or a git URL, or a URL with a password in it (use a git credential helper or an ssh key instead)")
                    }
                }
            }
            Button {
                text: qsTr("Add folder…")
                leftPadding: 12
                rightPadding: 12
                onClicked: folderDialog.open()
            }
        }
        Label {
            id: addError

            visible: text.length > 0
            color: Theme.errorColour
        }

        ListView {
            id: view

            objectName: "projectList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: page.projects
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: row

                required property int index
                required property string location
                required property string name
                required property string kind
                required property string status
                required property real progress
                required property bool isSample
                required property string spec

                width: ListView.view.width
                onDoubleClicked: page.openProject(location)

                contentItem: RowLayout {
                    spacing: 12
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Label {
                            text: row.isSample ? qsTr("%1 (sample)").arg(row.name) : row.name
                            font.bold: true
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.location
                            elide: Text.ElideMiddle
                            opacity: 0.7
                        }
                        Label {
                            Layout.fillWidth: true
                            visible: row.status.length > 0 && row.status !== "cloning"
                            text: row.status
                            elide: Text.ElideRight
                            color: row.status === "ready" ? Theme.okColour : Theme.errorColour
                        }
                        ProgressBar {
                            Layout.fillWidth: true
                            visible: row.status === "cloning"
                            indeterminate: row.progress < 0
                            value: Math.max(0, row.progress)
                        }
                        RowLayout {
                            visible: row.spec === "missing"
                            spacing: 8
                            Label {
                                text: qsTr("No slipway.toml")
                                color: Theme.errorColour
                            }
                            Button {
                                objectName: "suggestSpecButton_" + row.name
                                text: qsTr("Suggest one")
                                onClicked: page.projects.suggest(row.index)
                            }
                        }
                    }
                    Label {
                        text: row.kind
                        opacity: 0.6
                    }
                    Button {
                        text: qsTr("Open")
                        onClicked: page.openProject(row.location)
                    }
                    Button {
                        text: qsTr("Remove")
                        onClicked: page.projects.remove(row.index)
                    }
                }
            }

            EmptyState {
                anchors.fill: parent
                visible: view.count === 0
                heading: qsTr("No projects yet")
                explanation: qsTr("Add a git URL or a local folder above; it is remembered here and offered on the Deploy page.")
            }
        }
    }
}
