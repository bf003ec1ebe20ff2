"""Drives the dev console in headless Chromium (Selenium with Debian's chromium-driver) as a
newcomer would: connects alice, bob and carol, joins alice and bob to room `lobby`, publishes
the `room lobby` example, and reads what the page shows.

usage: dev_console.py GATEWAY_URL SCREENSHOT_PATH

Prints one JSON object: the report's counts and outcome, each panel's messages (newest last)
and each table row (user, rooms, messages received); writes a screenshot of the page.
"""
import json
import sys

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

url, screenshot = sys.argv[1], sys.argv[2]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
# The console redraws its table as sockets change: a row read mid-redraw is read again.
wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
try:
    driver.get(url)
    # Step 2's controls are there before anything is connected.
    steps = [e.text.split("\n")[0] for e in driver.find_elements(By.CSS_SELECTOR, "section h2")]
    room_visible = driver.find_element(By.ID, "room").is_displayed() and driver.find_element(By.ID, "join").is_displayed()

    for user in ("alice", "bob", "carol"):
        field = driver.find_element(By.ID, "user")
        field.clear()
        field.send_keys(user)
        driver.find_element(By.ID, "connect").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#room-connection option[value]:not([value=''])")) == 3)

    for number, user in ((1, "alice"), (2, "bob")):
        Select(driver.find_element(By.ID, "room-connection")).select_by_value(str(number))
        driver.find_element(By.ID, "join").click()
        wait.until(lambda d: d.find_element(By.ID, "room-status").text == f"{user} (#{number}) joined room lobby")
    wait.until(lambda d: [r.find_element(By.CLASS_NAME, "rooms").text for r in d.find_elements(By.CSS_SELECTOR, "#connections tbody tr[data-user]")] == ["lobby", "lobby", ""])

    driver.find_element(By.CSS_SELECTOR, "[data-preset=room]").click()
    data = driver.find_element(By.ID, "data")
    data.clear()
    data.send_keys('{"type":"chat","room":"lobby","text":"hi, room"}')
    driver.find_element(By.ID, "publish").click()
    wait.until(lambda d: d.find_element(By.ID, "outcome").text != "")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".connection .messages li")) >= 2)
    wait.until(lambda d: [r.find_element(By.CLASS_NAME, "received").text for r in d.find_elements(By.CSS_SELECTOR, "#connections tbody tr[data-user]")] == ["1", "1", "0"])

    result = {
        "steps": steps,
        "room_controls_visible_before_connecting": room_visible,
        "broadcast_hint": "Empty users and rooms means a broadcast" in driver.find_element(By.ID, "step-publish").text,
        "labels": [e.text.split("\n")[0] for e in driver.find_elements(By.CSS_SELECTOR, "#step-publish label")],
        "fields": {name: driver.find_element(By.ID, name).get_attribute("value") for name in ("users", "exclude", "rooms")},
        "outcome": driver.find_element(By.ID, "outcome").text,
        "counts": {e.get_attribute("data-count"): e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-count]")},
        "panels": {p.get_attribute("data-user"): [li.text for li in p.find_elements(By.CSS_SELECTOR, ".messages li")]
                   for p in driver.find_elements(By.CSS_SELECTOR, ".connection")},
        "table": [{"user": r.find_element(By.CLASS_NAME, "user").text, "rooms": r.find_element(By.CLASS_NAME, "rooms").text,
                   "received": r.find_element(By.CLASS_NAME, "received").text, "id": r.find_element(By.CLASS_NAME, "id").text}
                  for r in driver.find_elements(By.CSS_SELECTOR, "#connections tbody tr[data-user]")],
    }
    driver.save_screenshot(screenshot)
    print(json.dumps(result))
finally:
    driver.quit()
