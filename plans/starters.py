"""Starter text for every kind of emergency plan: what a store sees in the form before it has written its own.

A starter is a careful default to adapt, never a finished plan: it follows the common police and emergency-service
advice (life before property, do not resist, call the emergency number, preserve the scene) and leaves the store's
own numbers, names and places to fill in ([brackets]). The store's saved plan replaces it; nothing is saved until
an owner or manager saves the form.
"""

from __future__ import annotations

from dataclasses import dataclass


def _lines(*lines: str) -> str:
    return "\n".join(lines)


@dataclass(frozen=True)
class Starter:
    steps: str
    call_tree: str


STARTERS: dict[str, Starter] = {
    "robbery": Starter(
        steps=_lines(
            "Stay calm. Your safety and your customers' safety come first: property can be replaced.",
            "Do exactly what the robber asks; do not argue, resist, chase or make sudden movements.",
            'Keep your hands visible. Tell the robber before you move ("I am going to open the drawer now").',
            "Activate the hold-up alarm only if you can do it without being seen.",
            (
                "Watch so you can describe them later: height, build, clothing, voice, scars, what they touched, "
                "which way they left."
            ),
            "When they have gone: lock the doors, call the police on 999 (112), and stay on the line.",
            "Look after anyone hurt or shocked; call an ambulance if needed.",
            "Do not touch anything the robber touched; keep everyone out of that area until the police arrive.",
            "Ask witnesses to stay and to write down what they saw, each on their own, without comparing notes.",
            (
                "Write your own description at once, and record the incident in the Loupe logbook when the police "
                "have left."
            ),
        ),
        call_tree=_lines(
            "Whoever is safe first → police 999 (112), stay on the line",
            "Senior person on site → owner [name, phone]",
            "Owner → alarm company [name, phone] and insurer [phone]",
            "Owner → staff not on shift, before they hear it elsewhere",
        ),
    ),
    "burglary": Starter(
        steps=_lines(
            "If you arrive and find signs of a break-in, do not go in: the burglars may still be inside.",
            "Move to a safe place out of sight and call the police on 999 (112).",
            "Wait for the police; do not touch doors, windows or anything that may carry fingerprints.",
            "When the police say it is safe, walk through with them and list what is missing or damaged.",
            "Keep the alarm company's event log and the CCTV recording; give copies to the police.",
            "Secure the premises (board-up service) before leaving; keep the crime reference number.",
            "Record the incident in the Loupe logbook and review what the burglars used to get in.",
        ),
        call_tree=_lines(
            "Keyholder who discovers it → police 999 (112)",
            "Keyholder → owner [name, phone]",
            "Owner → alarm company [name, phone], board-up service [phone], insurer [phone]",
        ),
    ),
    "grab_and_run": Starter(
        steps=_lines(
            "Do not chase or try to stop the thief: a grab-and-run can turn violent.",
            "Press the alarm if it is safe, and lock the door if the shop has a controlled entry.",
            (
                "Note what was taken (tray, item numbers), the direction of escape and any vehicle (plate, colour, "
                "make)."
            ),
            "Call the police on 999 (112) at once: a quick call with a vehicle and direction gives the best chance.",
            "Keep the display case and the tray untouched for fingerprints.",
            "Check that staff and customers are unhurt; ask witnesses to stay.",
            (
                "Afterwards: count the stock, keep the CCTV, record it in the Loupe logbook and consider sharing it "
                "with the region."
            ),
        ),
        call_tree=_lines(
            "Nearest member of staff → police 999 (112)",
            "Senior person on site → owner [name, phone]",
            "Owner → insurer [phone]",
        ),
    ),
    "medical": Starter(
        steps=_lines(
            "Check that it is safe for you to approach; do not put yourself in danger.",
            (
                "Call an ambulance on 999 (112), say where you are and what happened, and follow the call handler's "
                "instructions."
            ),
            (
                "If the person is not breathing normally, start CPR and send someone for the defibrillator (AED) "
                "[where it is kept]."
            ),
            "Do not move the person unless they are in danger where they are.",
            "Send one member of staff to the door to meet the ambulance and keep the way clear.",
            "Keep the person warm and comfortable; do not give them food or drink.",
            "Close the counters and secure stock if you can do so without leaving the person alone.",
            "Afterwards: write down what happened and when, and record it in the accident book.",
        ),
        call_tree=_lines(
            "First person on the scene → ambulance 999 (112)",
            "Second person → first aider on shift [name] and the defibrillator",
            "Senior person on site → owner [name, phone] and the person's emergency contact if known",
        ),
    ),
    "fire": Starter(
        steps=_lines(
            'Raise the alarm at once; shout "Fire!" and activate the nearest call point.',
            "Call the fire service on 999 (112).",
            "Get everyone out through the nearest safe exit; do not stop to collect belongings or stock.",
            "Only tackle a very small fire with an extinguisher if you are trained and your exit is behind you.",
            "Close doors behind you to slow the fire; do not use the lift.",
            "Close the safe and vault only if it takes seconds and you are on your way out.",
            "Gather at the assembly point [where] and count everyone against the staff rota and visitor list.",
            (
                "Do not go back in until the fire service says it is safe; tell them about the safe, gas and anyone "
                "missing."
            ),
        ),
        call_tree=_lines(
            "Whoever discovers it → fire service 999 (112)",
            "Senior person on site → owner [name, phone] and alarm company [phone]",
            "Owner → landlord or building management [phone], insurer [phone]",
        ),
    ),
    "bomb_threat": Starter(
        steps=_lines(
            "If the threat comes by phone: stay calm, keep the caller talking, and do not hang up.",
            (
                "Write down the exact words, and ask: where is it, when will it go off, what does it look like, why, "
                "who are you?"
            ),
            (
                "Note the caller's voice, accent, background noise and the time and length of the call; keep the "
                "number if shown."
            ),
            "If it comes in writing or by email: do not handle it more than you must; keep it for the police.",
            "Call the police on 999 (112) as soon as the call ends, from another phone if you can.",
            "Do not touch, move or cover any suspicious item; keep people away from it.",
            "Do not use mobile phones or radios within 15 metres of a suspicious item.",
            (
                "Follow the police's advice on whether to evacuate; if you evacuate, use routes away from any "
                "suspicious item and gather at an assembly point [where] away from windows and glass."
            ),
            "Afterwards: give the police your notes, and record the incident in the Loupe logbook.",
        ),
        call_tree=_lines(
            "Person who took the call → police 999 (112), from a landline if possible",
            "Senior person on site → owner [name, phone]",
            "Owner → landlord or building management [phone] and neighbouring stores, as the police advise",
        ),
    ),
    "active_threat": Starter(
        steps=_lines(
            (
                "RUN: if there is a safe route, leave at once, leaving belongings and stock behind; help others come "
                "with you."
            ),
            (
                "HIDE: if you cannot get out, hide in a room you can lock or barricade [which room], away from the "
                "door, with phones on silent; stay quiet and do not come out for anyone but the police."
            ),
            (
                "TELL: when it is safe, call the police on 999 (112): where the attacker is, what they look like, "
                "what weapons, how many people are hurt, where you are."
            ),
            "Do not try to confront or follow the attacker.",
            (
                "When armed police arrive: keep your hands visible and empty, do exactly what they say, and do not "
                "run towards them."
            ),
            "Afterwards: stay where the police tell you until they let you go; write down what you saw.",
        ),
        call_tree=_lines(
            "Whoever can do so safely → police 999 (112)",
            "Senior person on site, once safe → owner [name, phone]",
            "Owner → staff not on shift and families, as the police advise",
        ),
    ),
}
