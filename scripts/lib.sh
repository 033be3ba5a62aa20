# shellcheck shell=bash
# Helpers shared by scripts/run, scripts/test and scripts/it-redis. Source it; it defines
# functions only (and REDTASK_ROOT), and changes no shell options of the caller.

REDTASK_ROOT="${REDTASK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

rt_log() { printf '[redtask] %s\n' "$*" >&2; }
rt_die() { printf '[redtask] ERROR: %s\n' "$*" >&2; exit 1; }

# Runs `apt-get update` once per script run (installs of several packages share it).
rt_apt_update_once() {
    [[ -n "${RT_APT_UPDATED:-}" ]] && return 0
    apt-get update -q || rt_die "apt-get update failed"
    RT_APT_UPDATED=1
}

# Makes sure redis-server and redis-cli are on the PATH. On Debian/Ubuntu as root it installs the
# redis-server package (which brings redis-cli); otherwise it says exactly what to install and
# exits 1.
rt_ensure_redis_server() {
    if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
        return 0
    fi
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        rt_log "redis-server is missing: installing the Debian package redis-server"
        export DEBIAN_FRONTEND=noninteractive
        rt_apt_update_once
        apt-get install -y -q --no-install-recommends redis-server \
            || rt_die "apt-get install -y redis-server failed"
        command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
            || rt_die "redis-server still not found after installing the package"
        return 0
    fi
    cat >&2 <<'MSG'
[redtask] ERROR: redis-server (and redis-cli) are needed but not installed.
[redtask] Install them, then run this again:
[redtask]     Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y redis-server
[redtask]     Fedora/RHEL:    sudo dnf install -y redis
[redtask]     macOS:          brew install redis
[redtask] (Running this script as root on Debian/Ubuntu installs it automatically.)
MSG
    exit 1
}

# Makes sure Debian's Chromium and ChromeDriver are at /usr/bin/chromium and /usr/bin/chromedriver
# (the dashboard's browser test, src/it DashboardIT, drives them; nothing is downloaded at test
# time). On Debian as root it installs the packages chromium and chromium-driver; otherwise it
# says exactly what to install and exits 1.
rt_ensure_chromium() {
    if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
        return 0
    fi
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        rt_log "chromium or chromedriver is missing: installing the Debian packages chromium and chromium-driver"
        export DEBIAN_FRONTEND=noninteractive
        rt_apt_update_once
        apt-get install -y -q chromium chromium-driver \
            || rt_die "apt-get install -y chromium chromium-driver failed"
        [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] \
            || rt_die "/usr/bin/chromium or /usr/bin/chromedriver still missing after installing the packages"
        return 0
    fi
    cat >&2 <<'MSG'
[redtask] ERROR: the dashboard's browser test needs Chromium and ChromeDriver at
[redtask] /usr/bin/chromium and /usr/bin/chromedriver. Install them, then run this again:
[redtask]     Debian:  sudo apt-get update && sudo apt-get install -y chromium chromium-driver
[redtask] (Running this script as root on Debian installs them automatically. Elsewhere, point the
[redtask] test at them: -Dredtask.it.chromium=/path/to/chrome -Dredtask.it.chromedriver=/path/to/chromedriver)
MSG
    exit 1
}

# rt_redis_ping HOST PORT [PASSWORD]: true when a Redis answers PONG there (with that password;
# it is passed in the environment, never on a command line other users can see).
rt_redis_ping() {
    if [[ -n "${3:-}" ]]; then
        [[ "$(REDISCLI_AUTH="$3" redis-cli --no-auth-warning -h "$1" -p "$2" ping 2>/dev/null)" == "PONG" ]]
    else
        [[ "$(redis-cli -h "$1" -p "$2" ping 2>/dev/null)" == "PONG" ]]
    fi
}

# rt_wait_redis HOST PORT SECONDS [PASSWORD]: waits until a Redis answers there.
rt_wait_redis() {
    local host=$1 port=$2 deadline=$((SECONDS + $3))
    until rt_redis_ping "$host" "$port" "${4:-}"; do
        (( SECONDS < deadline )) || return 1
        sleep 0.1
    done
}

# rt_pid_alive PID: true when the process exists.
rt_pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# rt_pid_is_cmd PID WORD: true when the process exists and its command line contains WORD
# (guards against a recycled PID in an old pidfile).
rt_pid_is_cmd() {
    rt_pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"
}

# rt_wait_gone PID SECONDS: waits until the process has exited; false on timeout.
rt_wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while rt_pid_alive "$pid"; do
        (( SECONDS < deadline )) || return 1
        sleep 0.2
    done
}

# The Maven command line every script uses: batch mode, readable logs.
rt_mvn() { mvn -B --no-transfer-progress -Dstyle.color=never "$@"; }

# rt_free_port: prints a loopback TCP port nobody listens on now (random in 20000-49999, so two
# calls in a row do not hand out the same one; whoever binds it first gets it).
rt_free_port() {
    local port _
    for _ in {1..200}; do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    rt_die "no free loopback port found"
}
