/* Jishi: make photos smaller in the phone before they are sent, refuse a photo that is still too
   large before sending anything, and show the upload's progress (issue 25).

   Every form that uploads photos carries data-photo-form and is sent by htmx (hx-boost): the
   posting form, a driver's delivery update, the storefront and the verification request
   (docs/frontend.md, "Photos on a slow link"). This listener runs first, in the capture phase: it
   holds the submission back, redraws each chosen photo in each file input at most
   data-photo-max-px wide or high as a JPEG, lowering the quality and then the size until it is
   about data-photo-target-bytes (300 KB instead of several MB), puts those files in the inputs and
   submits again, which htmx then sends. Where the browser cannot do this the photos go as chosen;
   without JavaScript the form is a plain multipart post. The server checks and cleans every photo
   in any case. */
(function () {
  "use strict";
  if (window.jishiPhotoResize) {
    return; // htmx runs the script again after swapping in a page that includes it
  }
  window.jishiPhotoResize = true;

  // Tried in turn until a photo is no larger than the target; then the picture is made smaller (by
  // SHRINK each time, not below MIN_PX) and the qualities tried again. A real photo is usually
  // small enough at the first quality; a noisy one (high ISO, grass, gravel) needs the later steps.
  var QUALITIES = [0.8, 0.7, 0.6, 0.5];
  var SHRINK = 0.8;
  var MIN_PX = 640;
  var canResize =
    typeof window.createImageBitmap === "function" &&
    typeof window.DataTransfer === "function" &&
    typeof HTMLCanvasElement.prototype.toBlob === "function";

  function encode(bitmap, width, height, quality) {
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG becomes a JPEG on white, not on black
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    return new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/jpeg", quality);
    });
  }

  // The first JPEG of the picture at most maxPx on its longer side that is no larger than
  // targetBytes, trying QUALITIES at each size and then a smaller size; the smallest one made if
  // none is (a picture already MIN_PX wide cannot be made much smaller without losing what it shows).
  function smallEnough(bitmap, maxPx, targetBytes) {
    var longer = Math.max(bitmap.width, bitmap.height);
    var best = null;
    function attempt(px, step) {
      var scale = Math.min(1, px / longer);
      var width = Math.max(1, Math.round(bitmap.width * scale));
      var height = Math.max(1, Math.round(bitmap.height * scale));
      return encode(bitmap, width, height, QUALITIES[step]).then(function (blob) {
        if (blob && (!best || blob.size < best.size)) {
          best = blob;
        }
        if (blob && blob.size <= targetBytes) {
          return blob;
        }
        if (step + 1 < QUALITIES.length) {
          return attempt(px, step + 1);
        }
        var smaller = Math.round(Math.min(px, longer) * SHRINK);
        if (smaller < MIN_PX) {
          return best;
        }
        return attempt(smaller, 0);
      });
    }
    return attempt(maxPx, 0);
  }

  function shrink(file, maxPx, targetBytes) {
    if (!canResize || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) {
        if (Math.max(bitmap.width, bitmap.height) <= maxPx && file.size <= targetBytes) {
          bitmap.close();
          return file; // already small enough: sent as it is
        }
        return smallEnough(bitmap, maxPx, targetBytes).then(function (blob) {
          bitmap.close();
          if (!blob || blob.size >= file.size) {
            return file;
          }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
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
      var inputs = Array.prototype.filter.call(form.querySelectorAll('input[type="file"]'), function (input) {
        return input.files && input.files.length > 0;
      });
      if (inputs.length === 0) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      var maxPx = parseInt(form.dataset.photoMaxPx, 10) || 1600;
      var maxBytes = parseInt(form.dataset.maxPhotoBytes, 10) || 10 * 1024 * 1024;
      var targetBytes = parseInt(form.dataset.photoTargetBytes, 10) || 300 * 1024;
      show(form, form.dataset.preparing, null, false);
      Promise.all(
        inputs.map(function (input) {
          return Promise.all(
            Array.prototype.map.call(input.files, function (file) {
              return shrink(file, maxPx, targetBytes);
            })
          );
        })
      ).then(function (filesOfInputs) {
        var all = [].concat.apply([], filesOfInputs);
        var tooLarge = all.filter(function (file) {
          return file.size > maxBytes;
        });
        if (tooLarge.length > 0) {
          show(form, form.dataset.tooLarge.replace("{file}", tooLarge[0].name), 0, true);
          inputs[0].focus();
          return;
        }
        if (canResize) {
          inputs.forEach(function (input, index) {
            var transfer = new DataTransfer();
            filesOfInputs[index].forEach(function (file) {
              transfer.items.add(file);
            });
            input.files = transfer.files;
          });
        }
        form.uploadBytes = all.reduce(function (sum, file) {
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
