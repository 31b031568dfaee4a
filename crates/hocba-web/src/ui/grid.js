// The grade grid (sổ điểm) of hocba: our own small script, no framework.
//
// The page is a server-rendered table of read-only inputs; this script
// makes the cells the user may write editable and:
// - moves between cells with the arrow keys, Enter (down; Shift+Enter up)
//   and Tab (the browser's own order: right, then the next row);
// - saves a cell when it is left or Enter is pressed, through
//   PUT <api>/cells with the version the page read (optimistic versioning);
// - checks obvious mistakes at once (a score above 10, two decimals, …)
//   and otherwise shows the server's Vietnamese message next to the cell,
//   keeping the typed text;
// - on a conflict (409) shows who changed the cell, to what and when, and
//   takes the current value and version;
// - fills several cells from a paste (lines and tabs, as Excel copies),
//   all or nothing, through POST <api>/cells/batch;
// - updates the student's semester average and, in học kỳ II, the year
//   average (ĐTBmcn) from the server's answer: the law's arithmetic stays on
//   the server (hocba-assessment), this script only shows its numbers;
// - shows what the page hid for readers without script (the keyboard and
//   paste help: without script nothing here saves).
(function () {
  "use strict";

  var table = document.getElementById("grid");
  if (!table) {
    return;
  }
  var api = table.getAttribute("data-api");
  var scored = table.getAttribute("data-mode") !== "commented";
  var editable = table.getAttribute("data-editable") === "1";
  var override = table.getAttribute("data-override") === "1";
  var statusBox = document.getElementById("grid-status");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var inFlight = 0;

  function cellsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll("input[data-col]"));
  }

  // What only makes sense with this script (how to type and paste).
  Array.prototype.forEach.call(document.querySelectorAll("[data-needs-script]"), function (element) {
    element.hidden = false;
  });

  // Every input remembers the value the server holds; cells the user may
  // write (not in a locked column) become editable.
  rows.forEach(function (row) {
    cellsOf(row).forEach(function (input) {
      input.setAttribute("data-saved", input.value);
      if (editable && input.getAttribute("data-locked") !== "1") {
        input.readOnly = false;
      }
    });
  });

  // --- Positions -----------------------------------------------------------

  function position(input) {
    var row = input.closest("tr");
    return { r: rows.indexOf(row), c: cellsOf(row).indexOf(input) };
  }

  function cellAt(r, c) {
    if (r < 0 || r >= rows.length) {
      return null;
    }
    return cellsOf(rows[r])[c] || null;
  }

  function moveTo(r, c) {
    var target = cellAt(r, c);
    if (target) {
      target.focus();
      target.select();
    }
    return target;
  }

  // --- Messages ------------------------------------------------------------

  function messageBox(input) {
    return input.closest("td").querySelector(".msg");
  }

  // kind: "bad" (a refused value), "conflict" (someone else saved first),
  // "unsaved" (part of a paste that was not saved), or null to clear.
  function mark(input, kind, text) {
    ["bad", "conflict", "unsaved", "saved", "saving"].forEach(function (name) {
      input.classList.remove(name);
    });
    var box = messageBox(input);
    box.className = "msg" + (kind === "conflict" ? " conflict" : "");
    box.textContent = text || "";
    if (kind) {
      input.classList.add(kind);
    }
    if (kind === "bad" || kind === "conflict") {
      input.setAttribute("aria-invalid", "true");
      input.title = text;
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("title");
    }
  }

  function status(text, isError) {
    statusBox.className = text ? "flash " + (isError ? "error" : "ok") : "";
    statusBox.textContent = text || "";
  }

  // --- Values --------------------------------------------------------------

  // "8.5" (as stored) → "8,5" (as shown).
  function shown(value) {
    return value === null || value === undefined ? "" : String(value).replace(".", ",");
  }

  // A quick check for obvious mistakes, worded like the server's messages;
  // the server decides everything else. `typing`: the text is unfinished.
  function quickCheck(raw, typing) {
    var text = raw.trim();
    if (text === "" || !/^[-+0-9.,]/.test(text)) {
      return null;
    }
    if (!scored) {
      return "Môn này đánh giá bằng nhận xét: chỉ nhập Đ (Đạt) hoặc CĐ (Chưa đạt), hoặc M nếu học sinh được miễn; không nhập điểm số.";
    }
    var match = /^(-?)(\d+)(?:[.,](\d*))?$/.exec(text);
    if (!match || (!typing && match[3] === "")) {
      return "“" + text + "” không phải điểm: hãy nhập số từ 0 đến 10 như 8, 8.5 hoặc 8,5.";
    }
    if (match[1] === "-" && Number(match[2] + "." + (match[3] || "0")) > 0) {
      return "Điểm " + text + " là số âm: điểm từ 0 đến 10.";
    }
    if (match[3] && match[3].length > 1) {
      return "Điểm " + text + " có hơn một chữ số thập phân: điểm lấy đến một chữ số thập phân, ví dụ 8,5; hocba không tự làm tròn, hãy nhập lại.";
    }
    if (Number(match[2] + "." + (match[3] || "0")) > 10) {
      return "Điểm " + text + " lớn hơn 10: điểm theo thang 10, từ 0 đến 10.";
    }
    return null;
  }

  function versionOf(input) {
    var version = input.getAttribute("data-version");
    return version ? Number(version) : null;
  }

  // The server now holds `value` (display form) at `version`.
  function accept(input, value, version) {
    input.value = value;
    input.setAttribute("data-saved", value);
    if (version !== null && version !== undefined) {
      input.setAttribute("data-version", String(version));
    }
  }

  // A computed value (or "—") in its cell, with why it is missing as the
  // cell's title.
  function showValue(cell, value, missing) {
    cell.textContent = value ? shown(value) : "—";
    if (missing) {
      cell.title = missing;
    } else {
      cell.removeAttribute("title");
    }
  }

  // The server's `averages` of a student: the semester value and, in
  // học kỳ II (where the page has a year column), the year value.
  function setAverage(studentId, average) {
    var row = table.querySelector('tbody tr[data-student="' + studentId + '"]');
    if (!row || !average) {
      return;
    }
    var semester = row.querySelector("td.avg:not(.year)");
    if (semester) {
      showValue(semester, average.semester, average.missing);
    }
    var year = row.querySelector("td.year");
    if (year && ("year" in average || "year_missing" in average)) {
      showValue(year, average.year, average.year_missing);
    }
  }

  // The message of an API error: the server's sentence, with the remedy.
  function errorText(answer) {
    if (answer.status === 401) {
      return "Phiên đăng nhập đã hết hạn: điểm chưa được lưu. Hãy tải lại trang, đăng nhập rồi nhập lại.";
    }
    var error = (answer.json && answer.json.error) || {};
    return error.message || "Không lưu được (mã " + answer.status + "); điểm chưa được lưu. Hãy thử lại.";
  }

  // Ids are 64-bit integers, beyond what a JavaScript number holds exactly:
  // the script keeps student ids as strings, and writes them into the JSON
  // it sends as bare digits (and reads them back as strings).
  function toJson(body) {
    return JSON.stringify(body).replace(/"student_id":"(\d+)"/g, '"student_id":$1');
  }

  function fromJson(text) {
    return JSON.parse(text.replace(/("student_id"\s*:\s*)(\d+)/g, '$1"$2"'));
  }

  function send(method, url, body) {
    inFlight += 1;
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrf,
      },
      body: toJson(body),
    })
      .then(function (response) {
        return response.text().then(function (text) {
          var json = {};
          try {
            json = fromJson(text);
          } catch (ignored) {
            // Not JSON (a proxy's error page): the status says enough.
          }
          return { status: response.status, json: json };
        });
      })
      .catch(function () {
        return {
          status: 0,
          json: { error: { message: "Không kết nối được máy chủ nên điểm chưa được lưu. Hãy kiểm tra mạng rồi thử lại." } },
        };
      })
      .then(function (answer) {
        inFlight -= 1;
        return answer;
      });
  }

  // --- Saving one cell -----------------------------------------------------

  function save(input) {
    if (input.readOnly) {
      return Promise.resolve();
    }
    var text = input.value.trim();
    if (text === input.getAttribute("data-saved")) {
      if (input.classList.contains("bad") || input.classList.contains("unsaved")) {
        mark(input, null);
      }
      return Promise.resolve();
    }
    var problem = quickCheck(text, false);
    if (problem) {
      mark(input, "bad", problem);
      return Promise.resolve();
    }
    // Enter saves and moves, and moving fires a blur: save once.
    if (input.getAttribute("data-pending") === text) {
      return Promise.resolve();
    }
    input.setAttribute("data-pending", text);
    input.classList.add("saving");
    var studentId = input.closest("tr").getAttribute("data-student");
    var body = {
      student_id: studentId,
      column: input.getAttribute("data-col"),
      value: text,
      version: versionOf(input),
    };
    if (override) {
      body.override = true;
    }
    return send("PUT", api + "/cells", body).then(function (answer) {
      input.removeAttribute("data-pending");
      var json = answer.json || {};
      if (answer.status === 200) {
        accept(input, json.display || "", json.version);
        mark(input, "saved");
        setAverage(studentId, json.averages);
        setTimeout(function () {
          input.classList.remove("saved");
        }, 1500);
      } else if (answer.status === 409) {
        var current = json.error && json.error.current;
        if (current) {
          accept(input, current.display || "", current.version);
        }
        mark(input, "conflict", errorText(answer));
        status(errorText(answer), true);
      } else {
        // The typed text stays, marked, with the server's reason.
        mark(input, "bad", errorText(answer));
      }
    });
  }

  // --- Pasting a block (a column, or several, copied from Excel) -----------

  function parseBlock(text) {
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    return lines.map(function (line) {
      return line.split("\t");
    });
  }

  // Fills the cells from `start` down (and right) with `text` and saves
  // them together: all or nothing.
  function pasteBlock(start, text) {
    var block = parseBlock(text);
    var from = position(start);
    var targets = [];
    for (var i = 0; i < block.length; i += 1) {
      for (var j = 0; j < block[i].length; j += 1) {
        var input = cellAt(from.r + i, from.c + j);
        if (!input) {
          status("Vùng dán có " + block.length + " dòng nhưng từ ô này xuống chỉ còn " + (rows.length - from.r) + " học sinh (hoặc thừa cột): chưa điền ô nào. Hãy chọn ô bắt đầu khác hoặc chép ít dòng hơn.", true);
          return Promise.resolve();
        }
        if (input.readOnly) {
          status("Vùng dán chạm vào ô không được sửa (cột đã khóa): chưa điền ô nào.", true);
          return Promise.resolve();
        }
        targets.push({ input: input, value: block[i][j].trim() });
      }
    }
    var problems = 0;
    targets.forEach(function (target) {
      target.input.value = target.value;
      var problem = quickCheck(target.value, false);
      if (problem) {
        problems += 1;
        mark(target.input, "bad", problem);
      } else {
        mark(target.input, "unsaved", "chưa lưu");
      }
    });
    if (problems > 0) {
      status(problems + " ô dán vào chưa đúng nên chưa lưu ô nào (lưu tất cả hoặc không lưu gì). Hãy sửa các ô được đánh dấu rồi dán lại.", true);
      return Promise.resolve();
    }
    var body = {
      cells: targets.map(function (target) {
        return {
          student_id: target.input.closest("tr").getAttribute("data-student"),
          column: target.input.getAttribute("data-col"),
          value: target.value,
          version: versionOf(target.input),
        };
      }),
    };
    if (override) {
      body.override = true;
    }
    status("Đang lưu " + targets.length + " ô…", false);
    return send("POST", api + "/cells/batch", body).then(function (answer) {
      var json = answer.json || {};
      if (answer.status === 200) {
        (json.cells || []).forEach(function (cell, index) {
          var input = targets[index].input;
          accept(input, shown(cell.value), cell.version);
          mark(input, "saved");
        });
        (json.averages || []).forEach(function (average) {
          setAverage(average.student_id, average);
        });
        status("Đã lưu " + targets.length + " ô.", false);
        return;
      }
      var rejected = (json.error && json.error.cells) || [];
      rejected.forEach(function (cell) {
        var target = targets[cell.index];
        if (!target) {
          return;
        }
        if (cell.code === "conflict" && cell.current) {
          accept(target.input, cell.current.display || "", cell.current.version);
          mark(target.input, "conflict", cell.message);
        } else {
          mark(target.input, "bad", cell.message);
        }
      });
      status(errorText(answer), true);
    });
  }

  // --- Events --------------------------------------------------------------

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-col]")) {
      return;
    }
    var at = position(input);
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    switch (event.key) {
      case "ArrowUp":
        moveTo(at.r - 1, at.c);
        break;
      case "ArrowDown":
        moveTo(at.r + 1, at.c);
        break;
      case "ArrowLeft":
        if (!whole && input.selectionStart > 0) {
          return; // move the caret inside the text
        }
        moveTo(at.r, at.c - 1);
        break;
      case "ArrowRight":
        if (!whole && input.selectionEnd < input.value.length) {
          return;
        }
        moveTo(at.r, at.c + 1);
        break;
      case "Enter":
        save(input);
        moveTo(at.r + (event.shiftKey ? -1 : 1), at.c);
        break;
      case "Escape":
        input.value = input.getAttribute("data-saved");
        mark(input, null);
        input.select();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Leaving a cell (Tab, a click elsewhere, an arrow) saves it.
  table.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("input[data-col]")) {
      save(event.target);
    }
  });

  // Arriving in a cell selects its text, so typing replaces it (as in a
  // spreadsheet). The mouseup of the click that focused the cell would
  // place the caret and drop the selection: that one is ignored.
  var justFocused = null;
  table.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-col]")) {
      event.target.select();
      justFocused = event.target;
    }
  });
  table.addEventListener("mouseup", function (event) {
    if (event.target === justFocused) {
      event.preventDefault();
    }
    justFocused = null;
  });

  // While typing: an instant message for an obvious mistake.
  table.addEventListener("input", function (event) {
    var input = event.target;
    var problem = quickCheck(input.value, true);
    if (problem) {
      mark(input, "bad", problem);
    } else if (input.classList.contains("bad")) {
      mark(input, null);
    }
  });

  // A paste of more than one value fills the block.
  table.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-col]") || input.readOnly) {
      return;
    }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.replace(/[\r\n]+$/, ""))) {
      return; // one value: the browser pastes it into the cell
    }
    event.preventDefault();
    pasteBlock(input, text);
  });

  // Closing the page while a save is on its way would lose it silently.
  window.addEventListener("beforeunload", function (event) {
    if (inFlight > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // For tests and the console: the same function the paste handler calls.
  window.hocbaGrid = { paste: pasteBlock, save: save };
})();
