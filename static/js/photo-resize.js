/* Jishi: make posting photos smaller in the phone before they are sent, refuse a photo that is
   still too large before sending anything, and show the upload's progress (issue 25).

   The posting form (templates/postings/_partials/_form.html, data-photo-form) is sent by htmx
   (hx-boost). This listener runs first, in the capture phase: it holds the submission back, redraws
   each chosen photo at most data-photo-max-px wide or high as a JPEG (quality 0.8, usually a few
   hundred KB instead of several MB), puts those files in the file input and submits again, which
   htmx then sends. Where the browser cannot do this the photos go as chosen; without JavaScript the
   form is a plain multipart post. The server checks and cleans every photo in any case. */
(function () {
  "use strict";
  if (window.jishiPhotoResize) {
    return; // htmx runs the script again after swapping in a page that includes it
  }
  window.jishiPhotoResize = true;

  var QUALITY = 0.8;
  // A photo already this small and within the size limit in pixels is sent as it is.
  var SMALL_ENOUGH_BYTES = 400 * 1024;
  var canResize =
    typeof window.createImageBitmap === "function" &&
    typeof window.DataTransfer === "function" &&
    typeof HTMLCanvasElement.prototype.toBlob === "function";

  function shrink(file, maxPx) {
    if (!canResize || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) {
        var scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size <= SMALL_ENOUGH_BYTES) {
          bitmap.close();
          return file;
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        var context = canvas.getContext("2d");
        context.fillStyle = "#fff"; // a transparent PNG becomes a JPEG on white, not on black
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              if (!blob || blob.size >= file.size) {
                resolve(file);
                return;
              }
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
            },
            "image/jpeg",
            QUALITY
          );
        });
      })
      .catch(function () {
        return file; // not decodable here: the size check and the server decide
      });
  }

  function parts(form) {
    var box = form.querySelector(".upload-progress");
    return {
      box: box,
      bar: box && box.querySelector("progress"),
      status: box && box.querySelector(".upload-status"),
    };
  }

  function show(form, text, value, isError) {
    var p = parts(form);
    if (!p.box) {
      return;
    }
    p.box.hidden = false;
    p.status.textContent = text;
    p.status.classList.toggle("error", Boolean(isError));
    p.bar.hidden = Boolean(isError);
    if (value === null) {
      p.bar.removeAttribute("value"); // indeterminate while the photos are redrawn
    } else {
      p.bar.value = value;
    }
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-photo-form")) {
        return;
      }
      if (form.dataset.photosReady === "1") {
        delete form.dataset.photosReady; // the second pass: let htmx send it
        return;
      }
      var input = form.querySelector('input[type="file"][name="photos"]');
      if (!input || !input.files || input.files.length === 0) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      var maxPx = parseInt(form.dataset.photoMaxPx, 10) || 1600;
      var maxBytes = parseInt(form.dataset.maxPhotoBytes, 10) || 10 * 1024 * 1024;
      show(form, form.dataset.preparing, null, false);
      Promise.all(Array.prototype.map.call(input.files, function (file) {
        return shrink(file, maxPx);
      })).then(function (files) {
        var tooLarge = files.filter(function (file) {
          return file.size > maxBytes;
        });
        if (tooLarge.length > 0) {
          show(form, form.dataset.tooLarge.replace("{file}", tooLarge[0].name), 0, true);
          input.focus();
          return;
        }
        if (canResize) {
          var transfer = new DataTransfer();
          files.forEach(function (file) {
            transfer.items.add(file);
          });
          input.files = transfer.files;
        }
        form.uploadBytes = files.reduce(function (sum, file) {
          return sum + file.size;
        }, 0);
        show(form, form.dataset.sending, 0, false);
        form.dataset.photosReady = "1";
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit(submitter || undefined);
        } else {
          form.submit();
        }
      });
    },
    true
  );

  // htmx reports the progress of the upload and of the answer alike; the upload is the one whose
  // total is at least the photos' size.
  function progress(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-photo-form") || !form.uploadBytes) {
      return;
    }
    var detail = event.detail || {};
    if (!detail.lengthComputable || detail.total < form.uploadBytes) {
      return;
    }
    var percent = Math.round((100 * detail.loaded) / detail.total);
    show(form, form.dataset.sending + " " + percent + "%", percent, false);
  }
  document.addEventListener("htmx:xhr:progress", progress);
  document.addEventListener("htmx:xhr:loadend", progress);

  // The form's refusals other than 422 (403 suspended, 413 too large, 429 SMS budget) come back as
  // whole pages: show them as the page, as without JavaScript, not inside htmx's small alert box.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Dispatched on the swap's target (the alert box for an error), so ask who sent the request.
    var config = event.detail.requestConfig || {};
    var form = config.elt || event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-photo-form")) {
      return;
    }
    var status = event.detail.xhr.status;
    if (status >= 400 && status !== 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      event.detail.target = document.body;
      event.detail.swapOverride = "innerHTML";
    }
  });
})();
