/// The demo page served at `/`: plain HTML and JavaScript, no build step. Connect as a user,
/// join and leave rooms, watch notifications arrive, and publish multicast, broadcast,
/// exclusion and room requests through `POST /publish`.
enum DemoPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>notification-router dev gateway</title>
    <style>
      body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
      fieldset { border: 1px solid #ccc; border-radius: 6px; margin-bottom: 1rem; }
      label { display: inline-block; margin: .2rem .8rem .2rem 0; }
      input[type=text] { width: 12rem; }
      textarea { width: 100%; height: 4rem; font-family: monospace; }
      #log, #report { font-family: monospace; white-space: pre-wrap; background: #f6f6f6; padding: .5rem; min-height: 3rem; }
      .socket { margin: .3rem 0; }
    </style>
    </head>
    <body>
    <h1>notification-router — dev gateway</h1>
    <p>Clients connect to <code>ws://<span class="host"></span>/?user_id=USER</code>; the router posts to them through
    <code>POST /@connections/{id}</code>, exactly as in production.</p>

    <fieldset>
      <legend>Connect</legend>
      <label>user id <input type="text" id="user" value="alice"></label>
      <button id="connect">connect</button>
      <div id="sockets"></div>
    </fieldset>

    <fieldset>
      <legend>Publish</legend>
      <label>users <input type="text" id="users" placeholder="alice,bob"></label>
      <label>exclude <input type="text" id="exclude" placeholder="carol"></label>
      <label>rooms <input type="text" id="rooms" placeholder="lobby"></label>
      <label>data (JSON)</label>
      <textarea id="data">{"type":"notification","message":"hello"}</textarea>
      <button id="publish">publish</button>
      <div id="report"></div>
    </fieldset>

    <fieldset>
      <legend>Received</legend>
      <div id="log"></div>
    </fieldset>

    <script>
    const $ = (id) => document.getElementById(id);
    document.querySelectorAll(".host").forEach((e) => e.textContent = location.host);
    const list = (text) => text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
    function log(line) { $("log").textContent = line + "\n" + $("log").textContent; }

    $("connect").onclick = () => {
      const user = $("user").value.trim();
      if (!user) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/?user_id=${encodeURIComponent(user)}`);
      const row = document.createElement("div");
      row.className = "socket";
      row.innerHTML = `<b></b> <span class="state">connecting</span>
        <input type="text" placeholder="room" size="10"> <button>join</button> <button>leave</button> <button>close</button>`;
      row.querySelector("b").textContent = user;
      const [room] = row.querySelectorAll("input");
      const [join, leave, close] = row.querySelectorAll("button");
      join.onclick = () => socket.send(JSON.stringify({ action: "join", room: room.value.trim() }));
      leave.onclick = () => socket.send(JSON.stringify({ action: "leave", room: room.value.trim() }));
      close.onclick = () => socket.close();
      socket.onopen = () => row.querySelector(".state").textContent = "open";
      socket.onclose = (e) => row.querySelector(".state").textContent = `closed (${e.code})`;
      socket.onmessage = (e) => log(`${user}: ${e.data}`);
      $("sockets").appendChild(row);
    };

    $("publish").onclick = async () => {
      let data;
      try { data = JSON.parse($("data").value); } catch (e) { $("report").textContent = "data is not JSON: " + e.message; return; }
      const request = { data };
      if (list($("users").value).length) request.users = list($("users").value);
      if (list($("exclude").value).length) request.exclude_users = list($("exclude").value);
      if (list($("rooms").value).length) request.rooms = list($("rooms").value);
      const answer = await fetch("/publish", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
      $("report").textContent = `${answer.status} ${await answer.text()}`;
    };
    </script>
    </body>
    </html>
    """#
}
