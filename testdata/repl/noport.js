// noport.js: stays alive on a timer but opens no port, so .send has
// nowhere to deliver.
setInterval(() => {}, 60000);
