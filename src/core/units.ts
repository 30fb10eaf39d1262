/**
 * Service definitions for running `loom run` unattended (`loom run --print-unit`),
 * pure text from the paths given. systemd: SIGTERM reaches `loom run` only
 * (KillMode=mixed), which drains its workers within `shutdown_drain`, so the
 * stop timeout leaves room for it; exit codes that a restart cannot fix
 * (another daemon, invalid config, not installed) stop the restarts.
 */
export interface UnitInput {
  /** Repository root (the main checkout). */
  root: string;
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of `.loom/scripts/loom`. */
  script: string;
  /** PATH the service runs with (claude, gh and git must be on it). */
  path: string;
  drainSeconds: number;
  /** A short name for the unit (from the repository folder). */
  name: string;
}

const xml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
/** systemd unit values: quote when they hold spaces; `%` and `\` escaped. */
const sd = (text: string) => {
  const escaped = text.replaceAll('\\', '\\\\').replaceAll('%', '%%').replaceAll('"', '\\"');
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
};

export function systemdUnit(u: UnitInput): string {
  return `# ~/.config/systemd/user/loom-${u.name}.service — then:
#   systemctl --user daemon-reload && systemctl --user enable --now loom-${u.name}
#   loginctl enable-linger "$USER"      # keep it running while you are logged out
#   journalctl --user -u loom-${u.name} -f
[Unit]
Description=Loom daemon (loom run) for ${u.root}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory=${sd(u.root)}
ExecStart=${sd(u.node)} ${sd(u.script)} run
Environment=${sd(`PATH=${u.path}`)}
# SIGTERM to loom run only: it stops claiming, lets workers reach a safe point, then exits.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=${u.drainSeconds + 60}
Restart=on-failure
RestartSec=30
# 9 another daemon owns the clone, 10 invalid config, 13 Loom not installed: a restart cannot help.
RestartPreventExitStatus=9 10 13

[Install]
WantedBy=default.target
`;
}

export function launchdPlist(u: UnitInput): string {
  const label = `dev.loom.${u.name}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ~/Library/LaunchAgents/${xml(label)}.plist — then:
     launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/${xml(label)}.plist
     launchctl kickstart -k gui/$(id -u)/${xml(label)}       (restart)
     launchctl bootout gui/$(id -u)/${xml(label)}            (stop: SIGTERM, drain, exit) -->
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${xml(label)}</string>
  <key>ProgramArguments</key>
  <array>
    <string>${xml(u.node)}</string>
    <string>${xml(u.script)}</string>
    <string>run</string>
  </array>
  <key>WorkingDirectory</key><string>${xml(u.root)}</string>
  <key>EnvironmentVariables</key>
  <dict><key>PATH</key><string>${xml(u.path)}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>ThrottleInterval</key><integer>30</integer>
  <key>ExitTimeOut</key><integer>${u.drainSeconds + 60}</integer>
  <key>StandardOutPath</key><string>${xml(`${u.root}/.loom/logs/loom-run.out.log`)}</string>
  <key>StandardErrorPath</key><string>${xml(`${u.root}/.loom/logs/loom-run.err.log`)}</string>
</dict>
</plist>
`;
}
